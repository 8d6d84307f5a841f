package org.patchvisor.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.state.RunLock;
import org.patchvisor.state.StateLockedException;
import org.patchvisor.time.Ticker;

/**
 * The worker's loop around the {@link SpoolDrainer}: one worker per spool (a lock in the spool directory), then
 * pass after pass until stopped, or a single pass. Between passes it waits the poll interval, unless a guest is
 * due at once. What each pass did reaches the caller through a {@link Listener}, which logs and counts.
 */
public final class Worker {
    /** Hears the worker's progress; the CLI logs each guest and writes metrics after each pass. */
    public interface Listener {
        /** One guest's job ended, before its events leave the spool. */
        void handled(SpoolDrainer.Handled handled);

        /** A pass ended, having handled these guests (none when the spool had nothing due). */
        void passed(List<SpoolDrainer.Handled> handled) throws IOException;
    }

    private final Path spool;
    private final SpoolDrainer drainer;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration poll;

    /**
     * @param spool the spool directory the drainer reads: the lock lives there
     * @param clock stamps the lock's holder record
     */
    public Worker(Path spool, SpoolDrainer drainer, Clock clock, Ticker ticker, Duration poll) {
        this.spool = spool;
        this.drainer = drainer;
        this.clock = clock;
        this.ticker = ticker;
        this.poll = poll;
    }

    /**
     * Drains the spool until interrupted, or with {@code once} for one pass, whose guests it returns. LOCKED when
     * another worker already drains this spool.
     */
    public List<SpoolDrainer.Handled> run(boolean once, Listener listener)
            throws IOException, InterruptedException, PatchException {
        try (RunLock lock = lock()) {
            while (true) {
                List<SpoolDrainer.Handled> handled = drainer.pass(listener::handled);
                listener.passed(handled);
                if (once) {
                    return handled;
                }
                if (!drainer.pendingNow()) {
                    ticker.sleep(poll);
                }
            }
        }
    }

    /** A pass that handled guests and left every one done: final, and not given up on. */
    public static boolean allDone(List<SpoolDrainer.Handled> handled) {
        return !handled.isEmpty() && handled.stream().allMatch(h -> h.result().isFinal()
                && h.result().state() != Outcome.GAVE_UP);
    }

    private RunLock lock() throws IOException, PatchException {
        try {
            return RunLock.acquire(spool, "worker", Duration.ZERO, clock, ticker);
        } catch (StateLockedException e) {
            throw new PatchException(Outcome.LOCKED, "another worker drains " + spool + ": " + e.getMessage());
        }
    }
}
