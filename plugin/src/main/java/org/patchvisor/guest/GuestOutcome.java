package org.patchvisor.guest;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;

/**
 * How one guest ended up after a patch was offered to it: the one state a rollout report shows per guest,
 * the reason in words, and what is known about its kernel. Shared by the guest patcher and the rollout.
 *
 * @param state   the end state
 * @param reason  one line for the administrator
 * @param patch   the live patch concerned (empty when none was chosen, e.g. {@link Outcome#NO_PATCH})
 * @param kernel  the guest's kernel, when it could be identified
 * @param elapsed wall time spent on this guest
 */
public record GuestOutcome(Outcome state, String reason, String patch, Optional<KernelId> kernel, Duration elapsed) {

    /**
     * The ends the guest path itself reports; the rest belong to the rollout, the host or the worker. Named one by
     * one, so that a new outcome, wherever it is declared, is not taken for one of them.
     */
    static final Set<Outcome> ENDS = Collections.unmodifiableSet(EnumSet.of(Outcome.APPLIED, Outcome.ALREADY_PATCHED,
            Outcome.NO_PATCH, Outcome.REVOKED_REMOVED, Outcome.REFUSED, Outcome.FAILED_REVERTED, Outcome.UNREACHABLE));

    public GuestOutcome {
        if (!ENDS.contains(Objects.requireNonNull(state, "state"))) {
            throw new IllegalArgumentException("a guest cannot end " + state.label());
        }
        // The reason quotes the guest (its agent's reply, its errors): printable before any report shows it.
        reason = GuestText.printable(Objects.requireNonNull(reason, "reason"));
        Objects.requireNonNull(patch, "patch");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** An outcome known only by state and reason (the rollout's own verdicts: a failed probe, a refusal). */
    public GuestOutcome(Outcome state, String reason) {
        this(state, reason == null ? "" : reason, "", Optional.empty(), Duration.ZERO);
    }

    public static GuestOutcome of(Outcome state, String reason, String patch, Optional<KernelId> kernel,
            Duration elapsed) {
        return new GuestOutcome(state, reason, patch, kernel, elapsed);
    }

    /** APPLIED or ALREADY_PATCHED: the guest carries the patch. */
    public boolean patched() {
        return state.patched();
    }
}
