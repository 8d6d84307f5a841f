package org.patchvisor.rollout;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.patchvisor.guest.GuestOutcome;

/**
 * The one state each guest ends a rollout in. The first six are what the guest path reports
 * ({@link GuestOutcome.State}); the rest are the rollout's own: it never reached the guest's step, or the step
 * ended without an outcome.
 */
public enum RolloutState {
    APPLIED,
    ALREADY_PATCHED,
    NO_PATCH,
    REFUSED,
    FAILED_REVERTED,
    UNREACHABLE,
    /** No outcome within the per-guest timeout; the guest's agent reverts on its own deadline. */
    TIMED_OUT,
    /** The step failed without an outcome (an error, or the kernel group's bundle could not be downloaded). */
    FAILED,
    /** Not a target: opted out by policy, not selected by --only, matched by --exclude, or not running. */
    SKIPPED,
    /** A target that was never started because the rollout halted (too many failures, or a failed canary). */
    HALTED,
    /** Dry run: would have been patched. */
    PLANNED;

    public static RolloutState of(GuestOutcome.State state) {
        return valueOf(state.name());
    }

    /**
     * True for states that count towards {@code --max-failures}: the patch was tried and did not take. An
     * unreachable agent or a refusal (wrong kernel, signatures enforced) never touched the guest's kernel and
     * says nothing about the patch, so they do not stop a rollout.
     */
    public boolean countsAsFailure() {
        return this == FAILED_REVERTED || this == TIMED_OUT || this == FAILED;
    }

    /** The word reports and JSON use: lower case with dashes ("already-patched"). */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
