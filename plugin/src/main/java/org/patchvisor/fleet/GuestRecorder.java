package org.patchvisor.fleet;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;
import org.patchvisor.state.BundleOrigin;
import org.patchvisor.state.GuestRecord;
import org.patchvisor.state.GuestRecordStore;

/**
 * What one rollout learns of each guest it reaches, kept in the host's {@link GuestRecordStore} once the rollout is
 * done: the kernel the guest reported, the live patches loaded there afterwards and, for the bundle the run gave it,
 * the bundle's CVEs. A patch the host did not apply keeps what an earlier run recorded of it (or nothing). Guests the
 * run did not reach keep their records as they were, so they can be reported as last seen.
 */
final class GuestRecorder {
    private record Seen(Guest guest, KernelId kernel, List<String> loaded) {
    }

    private record Patched(Outcome state, Optional<BundleEntry> bundle, List<String> loaded) {
    }

    private final Optional<GuestRecordStore> store;
    private final Clock clock;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Map<String, Patched> patched = new ConcurrentHashMap<>();

    GuestRecorder(Optional<GuestRecordStore> store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The keys of the guests that answered their probe. */
    Set<String> reached() {
        return Set.copyOf(seen.keySet());
    }

    /** The guest answered its probe: its kernel and the patches loaded before the run touched it. */
    void seen(String key, Guest guest, KernelId kernel, List<String> loaded) {
        seen.put(key, new Seen(guest, kernel, List.copyOf(loaded)));
    }

    /** The run's step ended for the guest in {@code state}, with {@code bundle} offered and {@code loaded} after. */
    void patched(String key, Outcome state, Optional<BundleEntry> bundle, List<String> loaded) {
        patched.put(key, new Patched(state, bundle, List.copyOf(loaded)));
    }

    /** Writes what the run learned; {@code feedId} and {@code serial} name the index the bundles came from. */
    void save(String feedId, long serial) throws IOException {
        if (store.isEmpty() || seen.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Map<String, GuestRecord> before = store.get().all();
        List<GuestRecord> updated = new ArrayList<>();
        for (Map.Entry<String, Seen> entry : seen.entrySet()) {
            Seen s = entry.getValue();
            Optional<GuestRecord> previous = Optional.ofNullable(before.get(entry.getKey()))
                    .filter(r -> r.kernel().equals(s.kernel().release()));
            Patched p = patched.get(entry.getKey());
            List<String> loaded = p != null ? p.loaded() : s.loaded();
            List<GuestRecord.Patch> patches = new ArrayList<>();
            for (String name : loaded) {
                patches.add(patch(name, p, previous, feedId, serial, now));
            }
            boolean carries = p != null && (p.state().patched() || p.state() == Outcome.REVOKED_REMOVED);
            Instant lastPatched = carries ? now : previous.map(GuestRecord::lastPatched).orElse(null);
            updated.add(new GuestRecord(entry.getKey(), s.guest().name(), s.kernel().release(),
                    s.kernel().buildId().orElse(""), now, lastPatched, patches));
        }
        store.get().update(updated);
    }

    private static GuestRecord.Patch patch(String name, Patched run, Optional<GuestRecord> previous, String feedId,
            long serial, Instant now) {
        if (run != null && run.bundle().filter(b -> b.module().equals(name)).isPresent()) {
            BundleEntry bundle = run.bundle().get();
            Optional<GuestRecord.Patch> had = previous.flatMap(r -> find(r, name))
                    .filter(old -> old.origin() != null && old.origin().bundle().equals(bundle.id()));
            return new GuestRecord.Patch(name, new BundleOrigin(bundle.id(), feedId, serial, bundle.cumulativeLevel(),
                    bundle.cves()), bundle.effectiveVersion(), had.map(GuestRecord.Patch::appliedAt).orElse(now));
        }
        return previous.flatMap(r -> find(r, name)).orElse(new GuestRecord.Patch(name, null, "", null));
    }

    private static Optional<GuestRecord.Patch> find(GuestRecord record, String name) {
        return record.patches().stream().filter(p -> p.patch().equals(name)).findFirst();
    }
}
