package org.patchvisor.rollout;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.patchvisor.spi.Guest;
import org.patchvisor.time.Ticker;

/**
 * Patches a fleet of guests: {@link #plan} decides who gets which bundle and in what order without touching a
 * guest's kernel (it only asks each guest which kernel it runs); {@link #execute} carries the plan out through a
 * {@link GuestStep}, downloading each kernel's bundle once. The seams (kernel probe, feed lookup, download, the
 * ticker the per-guest timeout is measured on) are given here; the step and the listener per run.
 */
public final class Rollout {
    private final KernelProbe probe;
    private final BundleSource source;
    private final BundleFetcher fetcher;
    private final Ticker ticker;
    private final Predicate<Guest> holdsRevoked;

    public Rollout(KernelProbe probe, BundleSource source, BundleFetcher fetcher, Ticker ticker) {
        this(probe, source, fetcher, ticker, guest -> false);
    }

    /**
     * @param holdsRevoked whether a probed guest carries a patch the feed revoked: such a guest is a target even
     *                     when the feed has nothing for its kernel, so its step can remove that patch (asked after
     *                     the guest's probe)
     */
    public Rollout(KernelProbe probe, BundleSource source, BundleFetcher fetcher, Ticker ticker,
            Predicate<Guest> holdsRevoked) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.source = Objects.requireNonNull(source, "source");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.holdsRevoked = Objects.requireNonNull(holdsRevoked, "holdsRevoked");
    }

    /** Throws only when the feed cannot be read; an unreachable guest is part of the plan, not an error. */
    public Plan plan(List<Guest> guests, RolloutOptions options) throws IOException, InterruptedException {
        return new Planner(probe, source, holdsRevoked).plan(guests, options);
    }

    /**
     * Runs the plan; a dry-run plan reports its targets as planned and runs nothing. Returns when every guest
     * has its row.
     */
    public Report execute(Plan plan, GuestStep step, RolloutListener listener) throws InterruptedException {
        return new Execution(plan, fetcher, Objects.requireNonNull(step, "step"),
                Objects.requireNonNull(listener, "listener"), ticker).run();
    }
}
