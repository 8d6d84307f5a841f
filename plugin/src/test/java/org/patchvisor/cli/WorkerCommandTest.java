package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.model.Outcome;

/** The worker's journal line cannot be steered or forged by a guest's name or its agent's words. */
class WorkerCommandTest {
    @Test
    void aHostileGuestNameAndReasonStayOnOneVisibleLine() {
        SpoolDrainer.Handled handled = new SpoolDrainer.Handled("vm\u001b[2K\rguest prod: applied\n", 2,
                new SpoolDrainer.Result(Outcome.FAILED, false, "agent said \u001b]0;pwned\u0007\nguest db: applied"));

        assertEquals("patchvisor worker: guest vm\\x1b[2K\\x0dguest prod: applied\\x0a: failed (kept for retry) "
                + "[2 event(s)]: agent said \\x1b]0;pwned\\x07\\x0aguest db: applied", WorkerCommand.logLine(handled));
    }
}
