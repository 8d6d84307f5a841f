package org.patchvisor.rollout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.KernelTarget;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.time.FakeTicker;

/**
 * A fake fleet for rollout tests: guests with scripted kernels, a feed of scripted bundles, and a guest step
 * that does what each guest's script says, counting everything (lookups, downloads, concurrency, order).
 */
final class FakeFleet implements KernelProbe, BundleSource, BundleFetcher, GuestStep {
    final Map<String, KernelId> kernels = new ConcurrentHashMap<>();
    final Set<String> silent = ConcurrentHashMap.newKeySet();
    /** Guests that carry a revoked patch: targets even when the feed has nothing for their kernel. */
    final Set<String> revoked = ConcurrentHashMap.newKeySet();
    final Map<String, BundleEntry> bundlesByRelease = new ConcurrentHashMap<>();
    final Map<String, GuestStep> scripts = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();
    final Set<String> failingDownloads = ConcurrentHashMap.newKeySet();
    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger steps = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger clock = new AtomicInteger();
    final Map<String, Integer> startedAt = new ConcurrentHashMap<>();
    final Map<String, Integer> finishedAt = new ConcurrentHashMap<>();
    final Set<String> workerThreads = ConcurrentHashMap.newKeySet();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    volatile long stepMillis;
    /** The rollout's ticker: the per-guest timeouts pass on it when a scripted step sleeps on it. */
    final FakeTicker ticker = new FakeTicker();

    static KernelId kernel(String release, String buildId) {
        return new KernelId(release, "#1 SMP Debian", "x86_64", Optional.ofNullable(buildId));
    }

    static BundleEntry bundle(String id, KernelId kernel) {
        String sha = String.format("%064x", Math.abs((long) id.hashCode()));
        return new BundleEntry(id, id.replace('-', '_'), sha, 1000, 1, List.of(), List.of("CVE-2024-0001"),
                "test bundle", "1", List.of("cmdline_proc_show"),
                List.of(new KernelTarget(kernel.release(), kernel.buildId().orElse(null))), null, null);
    }

    static Guest guest(String name) {
        return new Guest("fake", "id-" + name, name, Guest.State.RUNNING, Map.of());
    }

    static Guest guest(String name, Map<String, String> policy) {
        return new Guest("fake", "id-" + name, name, Guest.State.RUNNING, policy);
    }

    /** Adds {@code count} running guests named prefix-0000.. on this kernel and returns them. */
    List<Guest> add(String prefix, int count, KernelId kernel) {
        List<Guest> guests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Guest guest = guest(String.format("%s-%04d", prefix, i));
            kernels.put(guest.name(), kernel);
            guests.add(guest);
        }
        return guests;
    }

    Guest add(Guest guest, KernelId kernel) {
        kernels.put(guest.name(), kernel);
        return guest;
    }

    void offer(KernelId kernel, String bundleId) {
        bundlesByRelease.put(kernel.release(), bundle(bundleId, kernel));
    }

    Rollout rollout() {
        return new Rollout(this, this, this, ticker, guest -> revoked.contains(guest.name()));
    }

    @Override
    public KernelId kernelOf(Guest guest) throws IOException {
        probes.incrementAndGet();
        if (silent.contains(guest.name())) {
            throw new GuestUnreachableException(guest.name() + ": guest agent not connected");
        }
        KernelId kernel = kernels.get(guest.name());
        if (kernel == null) {
            throw new IOException("no such guest " + guest.name());
        }
        return kernel;
    }

    @Override
    public Optional<BundleEntry> bundleFor(KernelId kernel) {
        lookups.incrementAndGet();
        return Optional.ofNullable(bundlesByRelease.get(kernel.release()));
    }

    @Override
    public Path fetch(BundleEntry bundle, KernelId kernel) throws IOException {
        downloads.computeIfAbsent(bundle.id(), id -> new AtomicInteger()).incrementAndGet();
        if (!bundle.targets(kernel)) {
            problems.add("fetched " + bundle.id() + " for the wrong kernel " + kernel.release());
        }
        if (failingDownloads.contains(bundle.id())) {
            throw new IOException("HTTP 503 from the feed");
        }
        return Path.of("/cache", bundle.sha256());
    }

    @Override
    public GuestOutcome apply(GuestJob job) throws IOException, InterruptedException {
        String name = job.guest().name();
        steps.incrementAndGet();
        workerThreads.add(Thread.currentThread().getName());
        if (Thread.currentThread().isInterrupted()) {
            problems.add(name + " started on an interrupted worker");
        }
        if (job.bundle().isEmpty()) {
            if (!revoked.contains(name) || job.module().isPresent()) {
                problems.add(name + " got no bundle, or a module without one");
            }
            return new GuestOutcome(Outcome.REVOKED_REMOVED, "removed its revoked patch");
        }
        if (!job.module().orElseThrow().equals(Path.of("/cache", job.bundle().get().sha256()))
                || !job.bundle().get().targets(job.kernel())) {
            problems.add(name + " got the wrong module or bundle");
        }
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        startedAt.put(name, clock.incrementAndGet());
        try {
            if (stepMillis > 0) {
                Thread.sleep(stepMillis);
            }
            GuestStep script = scripts.get(name);
            return script != null ? script.apply(job) : new GuestOutcome(Outcome.APPLIED, null);
        } finally {
            finishedAt.put(name, clock.incrementAndGet());
            inFlight.decrementAndGet();
        }
    }
}
