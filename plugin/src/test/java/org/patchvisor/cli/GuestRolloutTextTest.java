package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.patchvisor.model.Outcome;
import org.patchvisor.rollout.Report;

/** The text lines of {@code upgrade --guests}. */
class GuestRolloutTextTest {
    @Test
    void aGuestWithoutAKnownKernelOrReasonShowsADashNotNull() {
        assertEquals("web-1                    -                      unreachable      web-1: the agent does not answer",
                GuestRolloutText.line(new Report.Row("web-1", null, null, Outcome.UNREACHABLE,
                        "web-1: the agent does not answer", 0)));
        assertEquals("web-2                    6.1.0-18-amd64         applied",
                GuestRolloutText.line(new Report.Row("web-2", "6.1.0-18-amd64", "pv-1", Outcome.APPLIED, null, 9)));
    }
}
