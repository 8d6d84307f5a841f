package org.patchvisor.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.patchvisor.model.Outcome;

/**
 * How a fleet rollout proceeds: how many guests go first as canaries, how many are patched at once, after how
 * many failures the rest is halted, how long one guest may take, which guests are selected, and whether to only
 * print the plan.
 *
 * @param canary          guests patched first, alone, before any wave; 0 for none. A canary that fails halts
 *                        the rollout whatever {@code maxFailures} says.
 * @param maxParallel     guests in flight at once (the size of the worker pool), at least 1
 * @param maxFailures     halt once this many guests have failed ({@link Outcome#countsAsFailure()});
 *                        0 never halts
 * @param perGuestTimeout the bound on one guest's whole step; past it the guest is reported timed out
 * @param only            names or globs ({@code *}, {@code ?}); when not empty, only matching guests are patched
 * @param exclude         names or globs of guests never patched
 * @param dryRun          plan and print, touch no guest, download nothing
 */
public record RolloutOptions(
        int canary,
        int maxParallel,
        int maxFailures,
        Duration perGuestTimeout,
        List<String> only,
        List<String> exclude,
        boolean dryRun) {

    public RolloutOptions {
        if (canary < 0) {
            throw new IllegalArgumentException("--canary must be 0 or more, not " + canary);
        }
        if (maxParallel < 1) {
            throw new IllegalArgumentException("--max-parallel must be at least 1, not " + maxParallel);
        }
        if (maxFailures < 0) {
            throw new IllegalArgumentException("--max-failures must be 0 (never halt) or more, not " + maxFailures);
        }
        Objects.requireNonNull(perGuestTimeout, "perGuestTimeout");
        if (perGuestTimeout.isNegative() || perGuestTimeout.isZero()) {
            throw new IllegalArgumentException("the per-guest timeout must be positive, not " + perGuestTimeout);
        }
        only = List.copyOf(only);
        exclude = List.copyOf(exclude);
        for (String pattern : only) {
            NamePattern.check(pattern);
        }
        for (String pattern : exclude) {
            NamePattern.check(pattern);
        }
    }

    /** Whether {@code only} (when not empty) and {@code exclude} let the guest named {@code name} be patched. */
    public boolean selects(String name) {
        return (only.isEmpty() || only.stream().anyMatch(p -> NamePattern.matches(p, name)))
                && exclude.stream().noneMatch(p -> NamePattern.matches(p, name));
    }

    /** One canary, four guests at a time, halt at the first failure, ten minutes per guest, every guest. */
    public static RolloutOptions defaults() {
        return new RolloutOptions(1, 4, 1, Duration.ofMinutes(10), List.of(), List.of(), false);
    }

    public RolloutOptions withCanary(int value) {
        return new RolloutOptions(value, maxParallel, maxFailures, perGuestTimeout, only, exclude, dryRun);
    }

    public RolloutOptions withMaxParallel(int value) {
        return new RolloutOptions(canary, value, maxFailures, perGuestTimeout, only, exclude, dryRun);
    }

    public RolloutOptions withMaxFailures(int value) {
        return new RolloutOptions(canary, maxParallel, value, perGuestTimeout, only, exclude, dryRun);
    }

    public RolloutOptions withPerGuestTimeout(Duration value) {
        return new RolloutOptions(canary, maxParallel, maxFailures, value, only, exclude, dryRun);
    }

    public RolloutOptions withOnly(List<String> value) {
        return new RolloutOptions(canary, maxParallel, maxFailures, perGuestTimeout, value, exclude, dryRun);
    }

    public RolloutOptions withExclude(List<String> value) {
        return new RolloutOptions(canary, maxParallel, maxFailures, perGuestTimeout, only, value, dryRun);
    }

    public RolloutOptions withDryRun(boolean value) {
        return new RolloutOptions(canary, maxParallel, maxFailures, perGuestTimeout, only, exclude, value);
    }
}
