package org.patchvisor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomeTest {
    @Test
    void theWordsAreTheOnesReportsAndScriptsAlreadyRead() {
        assertEquals("applied already-patched no-patch revoked-removed refused failed-reverted unreachable timed-out failed skipped "
                + "halted planned", String.join(" ", Outcome.ROLLOUT.stream().map(Outcome::label).toList()),
                "the rollout's words, in the order its totals list them");
        assertEquals("gave-up", Outcome.GAVE_UP.label());
        assertEquals("gone", Outcome.GONE.label());
        assertEquals("error", Outcome.ERROR.label());
        assertEquals("transition-timeout", Outcome.TRANSITION_TIMEOUT.label());
    }

    @Test
    void onlyATriedPatchThatDidNotTakeIsAFailure() {
        assertEquals(EnumSet.of(Outcome.FAILED_REVERTED, Outcome.TIMED_OUT, Outcome.FAILED),
                EnumSet.copyOf(List.of(Outcome.values()).stream().filter(Outcome::countsAsFailure).toList()));
        assertTrue(Outcome.APPLIED.patched());
        assertTrue(Outcome.ALREADY_PATCHED.patched());
        assertFalse(Outcome.NO_PATCH.patched());
        assertFalse(Outcome.ROLLOUT.contains(Outcome.NOT_ROOT));
    }
}
