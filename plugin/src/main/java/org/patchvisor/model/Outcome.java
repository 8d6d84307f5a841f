package org.patchvisor.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * How one patch operation ended, on the host or in a guest: the one vocabulary the engine, the guest path, the
 * rollout and the worker report in, and the one the CLI maps to exit codes. Each end prints as one lower-case
 * word ({@link #label()}), which reports, JSON and metrics show as is.
 */
public enum Outcome {
    // The ends of a guest in a rollout, in the order its report totals them; GuestOutcome names those that come
    // from the guest path.
    /** The patch was loaded, its transition finished, and it was verified. */
    APPLIED,
    /** The patch was already loaded and enabled; nothing was done. */
    ALREADY_PATCHED,
    /** No patch exists for the kernel. */
    NO_PATCH,
    /** A patch the feed revoked was removed, and no other took its place. */
    REVOKED_REMOVED,
    /** Refused before loading: not a live patch, another kernel, unsigned while enforced or locked down. */
    REFUSED,
    /** A guest operation failed and the guest was left (or put back) as it was. */
    FAILED_REVERTED,
    /** No way into the guest: no agent channel, or the agent does not answer. */
    UNREACHABLE,
    /** No outcome within the per-guest timeout; the guest's agent reverts on its own deadline. */
    TIMED_OUT,
    /** The step failed without an outcome (an error, or the kernel group's bundle could not be downloaded). */
    FAILED,
    /** Not a target: opted out, not selected, excluded, not running, or sharing the host's kernel. */
    SKIPPED,
    /** A target never started because the rollout halted. */
    HALTED,
    /** Dry run: would have been patched. */
    PLANNED,

    // Where an operation on the host (or a removal from a guest) stopped.
    /** Changing the kernel's live patches needs root, and this process is not root. */
    NOT_ROOT,
    /** The kernel cannot take live patches at all (no CONFIG_LIVEPATCH). */
    UNSUPPORTED,
    /** The transition did not finish in time; the patch was reversed and unloaded. */
    TRANSITION_TIMEOUT,
    /** The kernel refused the load or unload, or the patch is not live after its transition. */
    KERNEL_REFUSED,
    /**
     * What was named is not there: no loaded live patch of that name (on the host or in a guest), no guest of that
     * name (or more than one), or no guest at all to act on.
     */
    NOT_FOUND,
    /** The transition timed out and reversing it did not finish either: the kernel needs attention. */
    REVERT_FAILED,
    /** Another run holds the lock. */
    LOCKED,
    /** Running inside a container, whose kernel belongs to the host. */
    IN_CONTAINER,

    // The worker's own ends for a queued guest.
    /** The queued guest no longer exists (or its name became ambiguous). */
    GONE,
    /** Handling the guest failed with an error before it had an outcome; retried. */
    ERROR,
    /** Still unreachable once its oldest event was too old: its events are dropped. */
    GAVE_UP;

    /** The ends a rollout report counts, each guest in exactly one; named one by one, not by declaration order. */
    public static final Set<Outcome> ROLLOUT = Collections.unmodifiableSet(EnumSet.of(APPLIED, ALREADY_PATCHED,
            NO_PATCH, REVOKED_REMOVED, REFUSED, FAILED_REVERTED, UNREACHABLE, TIMED_OUT, FAILED, SKIPPED, HALTED, PLANNED));

    /** The word reports use: lower case with dashes ("failed-reverted"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** APPLIED or ALREADY_PATCHED: the kernel carries the patch. */
    public boolean patched() {
        return this == APPLIED || this == ALREADY_PATCHED;
    }

    /**
     * True for ends that count towards a rollout's {@code --max-failures}: the patch was tried and did not take.
     * An unreachable agent or a refusal never touched the kernel and says nothing about the patch.
     */
    public boolean countsAsFailure() {
        return this == FAILED_REVERTED || this == TIMED_OUT || this == FAILED;
    }
}
