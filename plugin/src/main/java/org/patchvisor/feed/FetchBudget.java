package org.patchvisor.feed;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long one run may spend waiting on feed servers, over all its files (index, signature, blobs), so a server
 * that stalls after the headers or drips a byte a second cannot hold {@code check} or {@code upgrade} for minutes
 * per file. Only time with some fetch in progress is charged, once however many run at the same moment, so a
 * rollout that downloads between guest waves is not charged for the waves. The monotonic clock is injected.
 */
public final class FetchBudget {
    private final Duration total;
    private final LongSupplier nanoTime;
    private long spentNanos;
    private int active;
    private long activeSince;

    public FetchBudget(Duration total, LongSupplier nanoTime) {
        if (total.isNegative() || total.isZero()) {
            throw new IllegalArgumentException("a fetch budget must be positive: " + total);
        }
        this.total = total;
        this.nanoTime = nanoTime;
    }

    /** A budget of the limits' fetch timeout on the system's monotonic clock. */
    public static FetchBudget of(FetchLimits limits) {
        return new FetchBudget(limits.fetchTimeout(), System::nanoTime);
    }

    public Duration total() {
        return total;
    }

    /**
     * Starts one fetch and returns how long it may take; every {@code begin} is followed by one {@link #end}.
     *
     * @throws DownloadTimeoutException when the run has nothing left, naming {@code what} would have been fetched
     */
    public synchronized Duration begin(String what) throws DownloadTimeoutException {
        long now = nanoTime.getAsLong();
        Duration left = remainingAt(now);
        if (left.isNegative() || left.isZero()) {
            throw new DownloadTimeoutException(what + " was not started: this run already waited its whole "
                    + "fetch-timeout of " + Durations.format(total) + " on the feed");
        }
        if (active++ == 0) {
            activeSince = now;
        }
        return left;
    }

    public synchronized void end() {
        if (active > 0 && --active == 0) {
            spentNanos += nanoTime.getAsLong() - activeSince;
        }
    }

    /** What is left now (zero or less once spent). */
    public synchronized Duration remaining() {
        return remainingAt(nanoTime.getAsLong());
    }

    private Duration remainingAt(long now) {
        long spent = spentNanos + (active > 0 ? now - activeSince : 0);
        return total.minusNanos(spent);
    }
}
