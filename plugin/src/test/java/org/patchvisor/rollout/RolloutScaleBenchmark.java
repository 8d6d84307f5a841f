package org.patchvisor.rollout;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;
import org.patchvisor.time.Ticker;

/**
 * The fleet-scale benchmark (docs/BENCHMARKS.md): N simulated guests on eight kernels (seven with a bundle),
 * patched through the real planner and executor with a fake guest step that takes each guest's
 * {@link LatencyModel} service time. Prints, per N, the wall time of the execution against the critical-path
 * bound at the chosen parallelism, and the heap retained per guest. Also: how many worker threads ran steps (the
 * pool, never a thread per guest) and how late, on average, the operating system woke a simulated guest after its
 * service time had passed (scheduler lateness on a loaded machine, which no executor can remove). Not a test:
 * it asserts nothing.
 *
 * <p>Usage: {@code RolloutScaleBenchmark [parallel=256] [N...=1000 5000 10000 20000]}
 */
public final class RolloutScaleBenchmark {
    private static final int KERNELS = 8;
    private static final long FETCH_NANOS = TimeUnit.MILLISECONDS.toNanos(40);
    private static final LatencyModel MODEL = new LatencyModel(42, 2_000, 20_000);

    private RolloutScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int parallel = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 5_000, 10_000, 20_000);
        }
        System.out.printf("load average before: %s%n", java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf("parallel %d, %d kernels (%d with a bundle), canary %d, call median %d us, transition >= %d us,"
                        + " download %d ms, %d CPUs, %s%n", parallel, KERNELS, KERNELS - 1, KERNELS,
                MODEL.callMedianMicros(), MODEL.transitionMinMicros(), TimeUnit.NANOSECONDS.toMillis(FETCH_NANOS),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        run(1_000, parallel, false); // warm-up: JIT, class loading
        System.out.printf("%7s %8s %9s %9s %7s %9s %7s %10s %10s %8s %8s%n", "N", "plan ms", "wall ms", "bound ms",
                "wall/b", "lower ms", "wall/lb", "B/guest", "B/g+plan", "workers", "late us");
        for (int n : sizes) {
            run(n, parallel, true);
        }
    }

    private static void run(int n, int parallel, boolean print) throws Exception {
        long[] service = new long[n];
        long[] probe = new long[n];
        for (int i = 0; i < n; i++) {
            service[i] = MODEL.serviceNanos(i);
            probe[i] = MODEL.probeNanos(i);
        }
        SimulatedFleet fleet = new SimulatedFleet(service, probe);
        long baseline = retainedHeap();

        List<Guest> guests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            guests.add(new Guest("simulated", "uuid-" + i, String.format("vm-%06d", i), Guest.State.RUNNING, Map.of()));
        }
        RolloutOptions options = RolloutOptions.defaults().withCanary(KERNELS).withMaxParallel(parallel)
                .withMaxFailures(0).withPerGuestTimeout(Duration.ofMinutes(5));
        Rollout rollout = new Rollout(fleet, fleet, fleet, Ticker.SYSTEM);
        long planStart = System.nanoTime();
        Plan plan = rollout.plan(guests, options);
        long planNanos = System.nanoTime() - planStart;
        long start = System.nanoTime();
        Report report = rollout.execute(plan, fleet, RolloutListener.NONE);
        long wall = System.nanoTime() - start;
        int workers = fleet.workers.size();
        long lateMicros = fleet.lateNanos.sum() / Math.max(1, fleet.steps.sum()) / 1000;

        long withPlan = retainedHeap() - baseline;
        java.lang.ref.Reference.reachabilityFence(guests);
        java.lang.ref.Reference.reachabilityFence(plan);
        guests = null;
        plan = null;
        long reportOnly = retainedHeap() - baseline;

        Bound bound = bound(rollout.plan(guestsAgain(n), options.withDryRun(true)), service, parallel);
        if (report.count(Outcome.APPLIED) + report.count(Outcome.NO_PATCH) != n || fleet.fetches.size() != KERNELS - 1
                || fleet.fetches.values().stream().anyMatch(c -> c.get() != 1)) {
            throw new IllegalStateException("unexpected outcome: " + report.summary() + " fetches " + fleet.fetches);
        }
        if (print) {
            System.out.printf("%7d %8d %9d %9d %7.3f %9d %7.3f %10d %10d %8d %8d%n", n, ms(planNanos), ms(wall),
                    ms(bound.listSchedule), (double) wall / bound.listSchedule, ms(bound.lower),
                    (double) wall / bound.lower, reportOnly / n, withPlan / n, workers, lateMicros);
        }
        if (report.guests().isEmpty()) {
            throw new IllegalStateException("report dropped early");
        }
    }

    private static List<Guest> guestsAgain(int n) {
        List<Guest> guests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            guests.add(new Guest("simulated", "uuid-" + i, String.format("vm-%06d", i), Guest.State.RUNNING, Map.of()));
        }
        return guests;
    }

    /**
     * The critical-path bound: each wave (the canary wave, then the rest) is list-scheduled in plan order onto
     * {@code parallel} slots with zero overhead — each guest starts the instant a slot frees, and takes its
     * service time, plus the download time for the first guest of its kernel — and the waves' makespans add up
     * (a wave starts when the previous one has finished). {@code lower} is the textbook lower bound per wave,
     * max(total work / slots, longest guest), summed over waves.
     */
    static Bound bound(Plan plan, long[] service, int parallel) {
        long listSchedule = 0;
        long lower = 0;
        Map<KernelKey, Boolean> fetched = new HashMap<>();
        for (Plan.Wave wave : plan.waves()) {
            PriorityQueue<Long> slots = new PriorityQueue<>();
            for (int i = 0; i < parallel; i++) {
                slots.add(0L);
            }
            long makespan = 0;
            long work = 0;
            long longest = 0;
            for (Plan.Target target : wave.targets()) {
                long time = service[index(target.guest())];
                if (fetched.put(target.group().key(), true) == null) {
                    time += FETCH_NANOS;
                }
                long end = slots.poll() + time;
                slots.add(end);
                makespan = Math.max(makespan, end);
                work += time;
                longest = Math.max(longest, time);
            }
            listSchedule += makespan;
            lower += Math.max((work + parallel - 1) / parallel, longest);
        }
        return new Bound(listSchedule, lower);
    }

    record Bound(long listSchedule, long lower) {
    }

    private static int index(Guest guest) {
        return Integer.parseInt(guest.name().substring(3));
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long retainedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Waits until an absolute deadline, so timer slack does not add up over a guest's calls. */
    static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Guests on eight kernels; the feed has a bundle for seven; each step takes its modelled service time. */
    private static final class SimulatedFleet implements KernelProbe, BundleSource, BundleFetcher, GuestStep {
        private final long[] service;
        private final long[] probe;
        private final KernelId[] kernels = new KernelId[KERNELS];
        private final BundleEntry[] bundles = new BundleEntry[KERNELS];
        final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
        final java.util.Set<String> workers = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.LongAdder lateNanos = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder steps = new java.util.concurrent.atomic.LongAdder();

        SimulatedFleet(long[] service, long[] probe) {
            this.service = service;
            this.probe = probe;
            for (int k = 0; k < KERNELS; k++) {
                kernels[k] = new KernelId("6.1.0-" + (10 + k) + "-amd64", "#1 SMP Debian", "x86_64",
                        Optional.of(String.format("%040x", 0xabc000L + k)));
                bundles[k] = k == KERNELS - 1 ? null : FakeFleet.bundle("pv-6.1.0-" + (10 + k), kernels[k]);
            }
        }

        @Override
        public KernelId kernelOf(Guest guest) throws InterruptedException {
            int i = index(guest);
            sleepUntil(System.nanoTime() + probe[i]);
            return kernels[i % KERNELS];
        }

        @Override
        public Optional<BundleEntry> bundleFor(KernelId kernel) {
            for (int k = 0; k < KERNELS; k++) {
                if (kernels[k].equals(kernel)) {
                    return Optional.ofNullable(bundles[k]);
                }
            }
            return Optional.empty();
        }

        @Override
        public Path fetch(BundleEntry bundle, KernelId kernel) throws java.io.InterruptedIOException {
            fetches.computeIfAbsent(bundle.id(), id -> new AtomicInteger()).incrementAndGet();
            try {
                sleepUntil(System.nanoTime() + FETCH_NANOS);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("download interrupted");
            }
            return Path.of("/var/lib/patchvisor/blobs", bundle.sha256());
        }

        @Override
        public GuestOutcome apply(GuestJob job) throws InterruptedException {
            workers.add(Thread.currentThread().getName());
            long deadline = System.nanoTime() + service[index(job.guest())];
            sleepUntil(deadline);
            lateNanos.add(System.nanoTime() - deadline);
            steps.increment();
            return new GuestOutcome(Outcome.APPLIED, null);
        }
    }
}
