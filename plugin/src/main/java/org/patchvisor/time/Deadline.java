package org.patchvisor.time;

import java.time.Duration;
import java.util.Optional;

/**
 * The one helper every bounded wait goes through: a point in time, read on the injected {@link Ticker}, by which
 * the wait must end. A wait either polls a {@link Probe} with {@link #poll} or, when it backs off or samples as it
 * goes, asks {@link #expired()} / {@link #allows(Duration)} and pauses with {@link #sleep(Duration)}. Because
 * only the ticker is asked, a test hands in a ticker that moves when slept on, and the longest wait takes no real
 * time (testcontainers' {@code WaitStrategy} is the model: the wait says what it checks, this says when to stop).
 */
public final class Deadline {
    private final Ticker ticker;
    private final long start;
    /** The whole wait in nanoseconds; compared with differences of ticker readings, which never overflow. */
    private final long budget;

    private Deadline(Ticker ticker, long start, long budget) {
        this.ticker = ticker;
        this.start = start;
        this.budget = budget;
    }

    /** A deadline {@code timeout} from now; a negative timeout counts as zero (already expired). */
    public static Deadline after(Ticker ticker, Duration timeout) {
        return new Deadline(ticker, ticker.nanoTime(), saturatedNanos(timeout));
    }

    /** Whether the time is up. */
    public boolean expired() {
        return leftNanos() <= 0;
    }

    /** What is left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, leftNanos()));
    }

    /** How long since the deadline was set. */
    public Duration elapsed() {
        return Duration.ofNanos(ticker.nanoTime() - start);
    }

    /** Whether a pause this long would still end before the deadline (a back-off asks before it sleeps). */
    public boolean allows(Duration pause) {
        return leftNanos() > saturatedNanos(pause);
    }

    /**
     * Sleeps {@code pause} on the ticker, cut short to what is left. Returns false, without sleeping, when
     * nothing is left: the caller gives up.
     */
    public boolean sleep(Duration pause) throws InterruptedException {
        long left = leftNanos();
        if (left <= 0) {
            return false;
        }
        ticker.sleep(Duration.ofNanos(Math.min(left, saturatedNanos(pause))));
        return true;
    }

    /** One look at what a wait waits for: a result once it is there, empty while it is not. */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        Optional<T> check() throws E;
    }

    /**
     * Checks {@code probe} until it gives a result, pausing {@code every} between looks. It is always checked at
     * least once, and once more when the deadline is reached; empty means it gave nothing in time.
     */
    public <T, E extends Exception> Optional<T> poll(Duration every, Probe<T, E> probe)
            throws E, InterruptedException {
        while (true) {
            Optional<T> result = probe.check();
            if (result.isPresent()) {
                return result;
            }
            if (!sleep(every)) {
                return Optional.empty();
            }
        }
    }

    private long leftNanos() {
        return budget - (ticker.nanoTime() - start);
    }

    private static long saturatedNanos(Duration duration) {
        if (duration.isNegative()) {
            return 0;
        }
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
