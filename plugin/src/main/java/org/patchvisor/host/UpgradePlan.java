package org.patchvisor.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.RevokedPatches;
import org.patchvisor.model.KernelId;

/**
 * What {@code upgrade} decides for this host's kernel before anything is downloaded: the revoked patches it would
 * remove, the bundle it would apply, whether that needs a download, which loaded patches it would supersede, and
 * which other bundles for this kernel it holds back and why (channel, delay, max-level, or an older level). The dry run prints this; the real run carries out the same choice of bundle.
 * What it supersedes is the feed's account (lower levels, {@code replaces}); an atomic-replace patch also disables
 * any other live patch the kernel carries, which the real run reports as superseded too.
 *
 * @param loaded     live-patch modules loaded now
 * @param revoked    loaded patches the feed revoked, removed first
 * @param available  every bundle the verified feed lists for this kernel
 * @param update     the bundle to apply, empty when none is listed or the loaded patches already cover the newest
 * @param cached     the update's module is already in the verified download cache (nothing to download)
 * @param superseded loaded modules the update replaces (lower cumulative levels of the feed, or named in its
 *                   {@code replaces})
 * @param heldBack   bundles for this kernel that are not applied, each with its reason
 */
public record UpgradePlan(KernelId kernel, List<String> loaded, List<RevokedPatches.InUse> revoked,
        List<BundleEntry> available, Optional<BundleEntry> update, boolean cached, List<String> superseded,
        List<HeldBack> heldBack) {

    /** A bundle for this kernel that this run leaves out. */
    public record HeldBack(String id, String module, int cumulativeLevel, String reason) {
    }

    public UpgradePlan {
        loaded = List.copyOf(loaded);
        revoked = List.copyOf(revoked);
        available = List.copyOf(available);
        superseded = List.copyOf(superseded);
        heldBack = List.copyOf(heldBack);
    }

    /** How the run ends if nothing fails. */
    public HostUpgrade.Status status() {
        if (update.isPresent()) {
            return HostUpgrade.Status.APPLIED;
        }
        if (!revoked.isEmpty()) {
            return HostUpgrade.Status.REVOKED_REMOVED;
        }
        return available.isEmpty() ? HostUpgrade.Status.NO_PATCHES : HostUpgrade.Status.UP_TO_DATE;
    }

    /**
     * Derives superseded and held-back bundles around the feed's choice of {@code update}
     * ({@link org.patchvisor.feed.Feed#newestCumulative}, the one rule for which bundle wins).
     */
    static UpgradePlan of(KernelId kernel, List<String> loaded, List<RevokedPatches.InUse> revoked,
            List<BundleEntry> available, Map<BundleEntry, String> policyHolds, Optional<BundleEntry> update,
            boolean cached) {
        Set<String> names = Set.copyOf(loaded);
        List<String> superseded = new ArrayList<>();
        update.ifPresent(u -> {
            for (String module : loaded) {
                boolean lower = available.stream().anyMatch(b -> b.module().equals(module)
                        && b.cumulativeLevel() < u.cumulativeLevel());
                if (!module.equals(u.module()) && (lower || u.replaces().contains(module))) {
                    superseded.add(module);
                }
            }
        });
        List<HeldBack> held = new ArrayList<>();
        for (BundleEntry bundle : available) {
            if (update.filter(bundle::equals).isPresent() || names.contains(bundle.module())) {
                continue; // applied by this run, or already in force
            }
            String reason = policyHolds.containsKey(bundle) ? policyHolds.get(bundle) : update
                    .map(u -> "older than " + u.id() + " (level " + u.cumulativeLevel() + "), which contains it")
                    .orElse("the loaded patches already cover level " + bundle.cumulativeLevel());
            held.add(new HeldBack(bundle.id(), bundle.module(), bundle.cumulativeLevel(), reason));
        }
        return new UpgradePlan(kernel, loaded, revoked, available, update, update.isPresent() && cached, superseded,
                held);
    }
}
