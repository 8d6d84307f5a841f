package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.patchvisor.model.Outcome;

/** The guest path ends in one of seven states; any other belongs to the rollout, the host or the worker. */
class GuestOutcomeTest {
    @Test
    void onlyTheGuestPathsOwnEndsAreAccepted() {
        assertEquals(EnumSet.of(Outcome.APPLIED, Outcome.ALREADY_PATCHED, Outcome.NO_PATCH, Outcome.REVOKED_REMOVED,
                Outcome.REFUSED, Outcome.FAILED_REVERTED, Outcome.UNREACHABLE), GuestOutcome.ENDS);
        for (Outcome state : Outcome.values()) {
            if (GuestOutcome.ENDS.contains(state)) {
                assertEquals(state, new GuestOutcome(state, "why").state());
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new GuestOutcome(state, "why"), state.label());
                assertEquals("a guest cannot end " + state.label(), e.getMessage());
            }
        }
    }
}
