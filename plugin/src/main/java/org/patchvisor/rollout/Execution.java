package org.patchvisor.rollout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * Runs one plan: the waves in order on a fixed pool of {@code maxParallel} workers, one {@link GuestStep} per
 * target, each with a per-guest deadline on the injected ticker; a watch interrupts a step whose deadline has
 * passed. Counts failures and, past the threshold (or on any canary failure), halts: guests already running finish,
 * guests not yet started are reported halted. Every guest of the plan gets exactly one row, written once into its
 * own slot.
 */
final class Execution {
    /**
     * How often the watch looks at the running steps' deadlines. It only paces the looking: the deadlines are the
     * ticker's, so a test's ticker, moved by its steps, decides when a step is late, and no test waits them out.
     */
    private static final long WATCH_MILLIS = 10;

    private final Plan plan;
    private final GuestStep step;
    private final RolloutListener listener;
    private final Ticker ticker;
    private final Downloads downloads;
    private final Report.Row[] rows;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<String> haltReason = new AtomicReference<>();
    /** The steps running now, for the watch. */
    private final Set<Attempt> running = ConcurrentHashMap.newKeySet();

    Execution(Plan plan, BundleFetcher fetcher, GuestStep step, RolloutListener listener, Ticker ticker) {
        this.plan = plan;
        this.step = step;
        this.listener = listener;
        this.ticker = ticker;
        this.downloads = new Downloads(fetcher);
        this.rows = new Report.Row[plan.guestCount()];
    }

    Report run() throws InterruptedException {
        long start = ticker.nanoTime();
        listener.starting(plan);
        int targets = plan.targetCount();
        for (int i = 0; i < plan.settled().size(); i++) {
            Plan.Settled s = plan.settled().get(i);
            settle(targets + i, new Report.Row(s.guest().name(), s.kernel(), s.bundle(), s.state(), s.reason(), 0));
        }
        if (plan.options().dryRun()) {
            planOnly();
        } else {
            runWaves();
        }
        List<Report.Row> ordered = new ArrayList<>(Arrays.asList(rows));
        ordered.sort(Comparator.comparing(Report.Row::name));
        Report report = Report.of(plan.options().dryRun(), haltReason.get(),
                TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - start), ordered);
        listener.finished(report);
        return report;
    }

    private void planOnly() {
        int slot = 0;
        for (Plan.Wave wave : plan.waves()) {
            for (Plan.Target target : wave.targets()) {
                String bundle = target.group().bundle().map(BundleEntry::id).orElse(null);
                settle(slot++, new Report.Row(target.guest().name(), target.group().kernel().release(), bundle,
                        Outcome.PLANNED, "dry run: would " + (bundle == null ? "remove its revoked patch"
                        : "apply " + bundle) + " in wave " + wave.name(), 0));
            }
        }
    }

    private void runWaves() throws InterruptedException {
        int largestWave = plan.waves().stream().mapToInt(w -> w.targets().size()).max().orElse(0);
        if (largestWave == 0) {
            return;
        }
        ExecutorService pool = Workers.pool("patchvisor-rollout", Math.min(plan.options().maxParallel(), largestWave));
        ScheduledThreadPoolExecutor watch = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "patchvisor-rollout-watch");
            thread.setDaemon(true);
            return thread;
        });
        watch.scheduleWithFixedDelay(this::interruptLateSteps, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        try {
            int base = 0;
            for (int w = 0; w < plan.waves().size(); w++) {
                Plan.Wave wave = plan.waves().get(w);
                if (haltReason.get() == null) {
                    listener.waveStarted(wave, w, plan.waves().size());
                    runWave(pool, wave, base);
                    if (wave.canary()) {
                        haltOnCanaryFailure(wave, base);
                    }
                } else {
                    for (int i = 0; i < wave.targets().size(); i++) {
                        settle(base + i, halted(wave.targets().get(i)));
                    }
                }
                base += wave.targets().size();
            }
        } finally {
            pool.shutdownNow();
            watch.shutdownNow();
        }
    }

    private void interruptLateSteps() {
        for (Attempt attempt : running) {
            if (attempt.deadline.expired()) {
                attempt.expire();
            }
        }
    }

    private void runWave(ExecutorService pool, Plan.Wave wave, int base) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(wave.targets().size());
        for (int i = 0; i < wave.targets().size(); i++) {
            int slot = base + i;
            Plan.Target target = wave.targets().get(i);
            pool.execute(() -> {
                try {
                    runOne(slot, target);
                } catch (Throwable e) {
                    if (rows[slot] == null) {
                        settle(slot, row(target, Outcome.FAILED, "unexpected error: " + Workers.describe(e), 0));
                    }
                } finally {
                    latch.countDown();
                }
            });
        }
        latch.await();
    }

    private void haltOnCanaryFailure(Plan.Wave wave, int base) {
        for (int i = 0; i < wave.targets().size(); i++) {
            Report.Row row = rows[base + i];
            if (row.state().countsAsFailure()) {
                halt("canary " + row.name() + " ended " + row.state().label());
                return;
            }
        }
    }

    private void runOne(int slot, Plan.Target target) {
        if (haltReason.get() != null) {
            settle(slot, halted(target));
            return;
        }
        listener.guestStarted(target.guest());
        Duration budget = plan.options().perGuestTimeout();
        Attempt attempt = new Attempt(Thread.currentThread(), Deadline.after(ticker, budget));
        running.add(attempt);
        Outcome state;
        String reason;
        boolean answered = false;
        try {
            Optional<Path> module = target.group().bundle().isPresent()
                    ? Optional.of(downloads.module(target.group())) : Optional.empty();
            GuestOutcome outcome = step.apply(new GuestJob(target.guest(), target.group().kernel(),
                    target.group().bundle(), module, attempt.deadline.remaining()));
            if (outcome == null || outcome.state() == null) {
                state = Outcome.FAILED;
                reason = "the guest step gave no outcome";
            } else {
                answered = true;
                state = outcome.state();
                reason = outcome.reason();
            }
        } catch (GuestUnreachableException e) {
            state = Outcome.UNREACHABLE;
            reason = Workers.describe(e);
        } catch (InterruptedException e) {
            state = Outcome.FAILED;
            reason = "interrupted";
        } catch (IOException | RuntimeException e) {
            state = Outcome.FAILED;
            reason = Workers.describe(e);
        } finally {
            running.remove(attempt);
        }
        boolean expired = attempt.settle();
        long ms = attempt.deadline.elapsed().toMillis();
        if (expired && !answered) {
            state = Outcome.TIMED_OUT;
            reason = "no outcome within the per-guest timeout of " + budget.toMillis() + " ms ("
                    + reason + "); the guest's agent reverts on its own deadline";
        } else if (expired) {
            reason = (reason == null || reason.isBlank() ? "" : reason + "; ") + "finished after the per-guest timeout";
        }
        if (state.countsAsFailure()) {
            int failed = failures.incrementAndGet();
            int max = plan.options().maxFailures();
            if (max > 0 && failed >= max) {
                halt("halted after " + failed + " failure(s) (--max-failures " + max + ")");
            }
        }
        settle(slot, row(target, state, reason, ms));
    }

    private void halt(String reason) {
        if (haltReason.compareAndSet(null, reason)) {
            listener.halted(reason);
        }
    }

    private Report.Row halted(Plan.Target target) {
        return row(target, Outcome.HALTED, "not started: " + haltReason.get(), 0);
    }

    private static Report.Row row(Plan.Target target, Outcome state, String reason, long ms) {
        return new Report.Row(target.guest().name(), target.group().kernel().release(),
                target.group().bundle().map(b -> b.id()).orElse(null), state, reason, ms);
    }

    private void settle(int slot, Report.Row row) {
        if (rows[slot] != null) {
            throw new IllegalStateException("guest " + row.name() + " was reported twice");
        }
        rows[slot] = row;
        listener.guestFinished(row, done.incrementAndGet(), rows.length);
    }

    /**
     * One guest's step and its deadline, and the handshake between its worker and the watch: the watch interrupts
     * the worker only while the step is still running, and the worker clears that interrupt before it takes the
     * next guest.
     */
    private static final class Attempt {
        final Deadline deadline;
        private final Thread worker;
        private boolean interrupted;
        private boolean over;

        Attempt(Thread worker, Deadline deadline) {
            this.worker = worker;
            this.deadline = deadline;
        }

        synchronized void expire() {
            if (!over) {
                interrupted = true;
                worker.interrupt();
            }
        }

        /** Ends the attempt; true when the step ran past its deadline, whether or not the watch caught it. */
        synchronized boolean settle() {
            over = true;
            if (interrupted) {
                Thread.interrupted();
            }
            return interrupted || deadline.expired();
        }
    }
}
