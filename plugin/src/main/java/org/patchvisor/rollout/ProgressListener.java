package org.patchvisor.rollout;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.patchvisor.model.Outcome;

/**
 * Rollout progress on stderr. On a terminal: one bar redrawn in place, at most ten times a second, so ten
 * thousand guests do not mean ten thousand redraws. Elsewhere (logs, CI, pipes): one plain line per guest and
 * per wave, which greps well.
 */
public final class ProgressListener implements RolloutListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;

    public ProgressListener(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
        this.err = err;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /** Bar when the process has a console ({@code System.console() != null}), plain lines otherwise. */
    public static ProgressListener forStderr(PrintWriter err) {
        return new ProgressListener(err, System.console() != null, System::nanoTime);
    }

    @Override
    public synchronized void waveStarted(Plan.Wave wave, int index, int count) {
        if (!terminal) {
            err.printf("wave %d/%d (%s): %d guest(s)%n", index + 1, count, wave.name(), wave.targets().size());
            err.flush();
        }
    }

    @Override
    public synchronized void guestFinished(Report.Row row, int done, int total) {
        counts.merge(row.state(), 1, Integer::sum);
        if (!terminal) {
            err.printf("guest %s: %s%s%n", row.name(), row.state().label(),
                    row.reason() == null ? "" : " (" + row.reason() + ")");
            err.flush();
            return;
        }
        long now = nanoTime.getAsLong();
        if (done == total || !drawn || now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            drawn = true;
            err.print("\r" + bar(done, total));
            err.flush();
        }
    }

    @Override
    public synchronized void halted(String reason) {
        if (terminal && drawn) {
            err.println();
            drawn = false;
        }
        err.println("rollout " + reason + "; guests not yet started will not be");
        err.flush();
    }

    @Override
    public synchronized void finished(Report report) {
        if (terminal && drawn) {
            err.println();
        }
        err.println(report.summary());
        err.flush();
    }

    String bar(int done, int total) {
        int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
        StringBuilder line = new StringBuilder("[");
        line.append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                .append(done).append('/').append(total);
        for (Map.Entry<Outcome, Integer> e : counts.entrySet()) {
            line.append(' ').append(e.getKey().label()).append(' ').append(e.getValue());
        }
        return line.toString();
    }
}
