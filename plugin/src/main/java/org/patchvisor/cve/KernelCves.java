package org.patchvisor.cve;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.RevokedPatches;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;

/**
 * The one rule for what a kernel has fixed and what is still open, for the host and every guest alike:
 * <ul>
 *   <li>a patch counts only when enabled and done with its transition;</li>
 *   <li>its CVEs are those of the bundle it came from, as recorded when it was applied, or, for a record that
 *   predates that, of the feed bundle with the same module file;</li>
 *   <li>a patch the feed revoked fixes nothing;</li>
 *   <li>the bundles are cumulative: a bundle of level N in force covers every bundle of level N or lower for the
 *   kernel (the feed's own rule for what {@code upgrade} applies), so their CVEs are fixed too and none of them is
 *   pending;</li>
 *   <li>pending are the CVEs of the other bundles the feed lists for the kernel, each with why this host holds it
 *   back, if it does.</li>
 * </ul>
 */
public final class KernelCves {
    /** What the host knows of a loaded patch from its own records. */
    public record Known(String bundle, int cumulativeLevel, List<String> cves, Instant since, String sha256) {
        public Known {
            bundle = bundle == null ? "" : bundle;
            cves = cves == null ? List.of() : List.copyOf(cves);
            sha256 = sha256 == null ? "" : sha256;
        }
    }

    /** The patches in force with what they fix, the CVEs still open, and whether the feed could say. */
    public record Answer(List<CveTarget.PatchInForce> inForce, List<CveTarget.Pending> pending, boolean offersKnown) {
    }

    private KernelCves() {
    }

    /**
     * @param live     the live patches the kernel shows now
     * @param known    what the records say of each, by patch name
     * @param buildIds the build-id the kernel shows for each loaded patch module, where it shows one
     * @param feed     the feed when it could be read
     */
    public static Answer of(KernelId kernel, List<LivePatch> live, Map<String, Known> known,
            Map<String, String> buildIds, Optional<Feed> feed) throws IOException {
        List<BundleEntry> listed = feed.isPresent() ? feed.get().available(kernel) : List.of();
        List<String> revoked = List.of();
        if (feed.isPresent()) {
            Map<String, String> recorded = new HashMap<>();
            known.forEach((name, k) -> {
                if (!k.sha256().isEmpty()) {
                    recorded.put(name, k.sha256());
                }
            });
            revoked = feed.get().revokedInUse(kernel, live.stream().map(LivePatch::name).toList(), buildIds, recorded)
                    .stream().map(RevokedPatches.InUse::patch).toList();
        }
        List<CveTarget.PatchInForce> inForce = new ArrayList<>();
        int covered = 0;
        for (LivePatch patch : live) {
            if (!patch.enabled() || patch.inTransition()) {
                continue;
            }
            Known facts = backFilled(Optional.ofNullable(known.get(patch.name())), listed);
            boolean isRevoked = revoked.contains(patch.name());
            inForce.add(new CveTarget.PatchInForce(patch.name(), facts.bundle(), facts.cumulativeLevel(),
                    isRevoked ? List.of() : facts.cves(), facts.since(), isRevoked));
            if (!isRevoked) {
                covered = Math.max(covered, facts.cumulativeLevel());
            }
        }
        Set<String> fixed = new TreeSet<>();
        inForce.forEach(p -> fixed.addAll(p.cves()));
        for (BundleEntry bundle : listed) {
            if (bundle.cumulativeLevel() <= covered) {
                fixed.addAll(bundle.cves());
            }
        }
        List<CveTarget.Pending> pending = new ArrayList<>();
        if (feed.isPresent()) {
            Map<BundleEntry, String> held = feed.get().heldBack(kernel);
            for (BundleEntry bundle : listed) {
                if (bundle.cumulativeLevel() <= covered) {
                    continue;
                }
                for (String cve : bundle.cves()) {
                    if (!fixed.contains(cve) && pending.stream().noneMatch(p -> p.cve().equals(cve))) {
                        pending.add(new CveTarget.Pending(cve, bundle.id(), held.getOrDefault(bundle, "")));
                    }
                }
            }
            pending.sort(Comparator.comparing(CveTarget.Pending::cve));
        }
        List<CveTarget.PatchInForce> withCovered = withCoveredCves(inForce, listed, covered);
        return new Answer(withCovered, pending, feed.isPresent());
    }

    /** The CVEs of the lower levels a cumulative bundle covers, added to the patch of the highest level. */
    private static List<CveTarget.PatchInForce> withCoveredCves(List<CveTarget.PatchInForce> inForce,
            List<BundleEntry> listed, int covered) {
        Optional<CveTarget.PatchInForce> top = inForce.stream().filter(p -> !p.revoked())
                .filter(p -> p.cumulativeLevel() == covered && covered > 0).findFirst();
        if (top.isEmpty()) {
            return inForce;
        }
        Set<String> cves = new TreeSet<>(top.get().cves());
        listed.stream().filter(b -> b.cumulativeLevel() <= covered).forEach(b -> cves.addAll(b.cves()));
        List<CveTarget.PatchInForce> result = new ArrayList<>();
        for (CveTarget.PatchInForce p : inForce) {
            result.add(p == top.get() ? new CveTarget.PatchInForce(p.patch(), p.bundle(), p.cumulativeLevel(),
                    new ArrayList<>(cves), p.since(), false) : p);
        }
        return result;
    }

    /** A record made before bundles were recorded is matched to the feed bundle of the same module file. */
    private static Known backFilled(Optional<Known> known, List<BundleEntry> listed) {
        if (known.isPresent() && !known.get().bundle().isEmpty()) {
            return known.get();
        }
        if (known.isPresent() && !known.get().sha256().isEmpty()) {
            Optional<BundleEntry> same = listed.stream().filter(b -> b.sha256().equals(known.get().sha256()))
                    .findFirst();
            if (same.isPresent()) {
                return new Known(same.get().id(), same.get().cumulativeLevel(), same.get().cves(),
                        known.get().since(), known.get().sha256());
            }
        }
        return known.orElse(new Known("", 0, List.of(), null, ""));
    }
}
