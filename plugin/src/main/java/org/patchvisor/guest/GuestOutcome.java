package org.patchvisor.guest;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.model.KernelId;

/**
 * How one guest ended up after a patch was offered to it: the one state a rollout report shows per guest,
 * the reason in words, and what is known about its kernel. Shared by the guest patcher and the rollout.
 *
 * @param state   the end state
 * @param reason  one line for the administrator
 * @param patch   the live patch concerned (empty when none was chosen, e.g. {@link State#NO_PATCH})
 * @param kernel  the guest's kernel, when it could be identified
 * @param elapsed wall time spent on this guest
 */
public record GuestOutcome(State state, String reason, String patch, Optional<KernelId> kernel, Duration elapsed) {

    /** Every guest ends in exactly one of these. */
    public enum State {
        /** The patch was loaded, its transition finished, and the host verified it through the channel. */
        APPLIED,
        /** The patch was already loaded and enabled; nothing was done. */
        ALREADY_PATCHED,
        /** No patch exists for the guest's kernel. */
        NO_PATCH,
        /** Refused before loading: wrong kernel, no livepatch support, signatures enforced. Never loaded. */
        REFUSED,
        /** Something failed and the guest was left (or put back) as it was: e.g. a timed-out transition reversed. */
        FAILED_REVERTED,
        /** No way into the guest: no agent channel, or the agent does not answer. */
        UNREACHABLE;

        /** Lower-case words for reports: "failed-reverted". */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public GuestOutcome {
        Objects.requireNonNull(state, "state");
        // The reason quotes the guest (its agent's reply, its errors): printable before any report shows it.
        reason = GuestText.printable(Objects.requireNonNull(reason, "reason"));
        Objects.requireNonNull(patch, "patch");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** An outcome known only by state and reason (the rollout's own verdicts: a failed probe, a refusal). */
    public GuestOutcome(State state, String reason) {
        this(state, reason == null ? "" : reason, "", Optional.empty(), Duration.ZERO);
    }

    public static GuestOutcome of(State state, String reason, String patch, Optional<KernelId> kernel,
            Duration elapsed) {
        return new GuestOutcome(state, reason, patch, kernel, elapsed);
    }

    /** APPLIED or ALREADY_PATCHED: the guest carries the patch. */
    public boolean patched() {
        return state == State.APPLIED || state == State.ALREADY_PATCHED;
    }
}
