package org.patchvisor.cve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.patchvisor.feed.Feed;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.StateStore;

/**
 * The host's CVE answer: the live patches enabled in its kernel now (sysfs), the CVEs their records say they fix
 * (kept when they were applied, so the feed need not be reachable), and what the feed offers for this kernel on top.
 */
public final class HostCves {
    private HostCves() {
    }

    /** What the feed offers for {@code kernel} that {@code inForce} does not fix: the one rule for host and guests. */
    public static List<CveTarget.Pending> pendingOn(Feed feed, KernelId kernel, List<CveTarget.PatchInForce> inForce)
            throws IOException {
        return FeedOffers.pending(feed, kernel, inForce);
    }

    /**
     * @param feed the feed, or empty with {@code feedProblem} saying why it could not be read; the fixed CVEs are
     *             known either way, the pending ones only with the feed
     */
    public static CveTarget read(KernelPort kernel, StateStore store, Optional<Feed> feed, String feedProblem)
            throws IOException {
        KernelId id = kernel.identify();
        List<LivePatch> live = kernel.patches();
        List<InstalledPatch> records = store.installed(id);
        List<CveTarget.PatchInForce> inForce = new ArrayList<>();
        String effective = id.release();
        for (LivePatch patch : live) {
            if (!patch.enabled()) {
                continue;
            }
            Optional<InstalledPatch> record = records.stream().filter(r -> r.patchName().equals(patch.name()))
                    .findFirst();
            inForce.add(new CveTarget.PatchInForce(patch.name(),
                    record.map(r -> r.origin() == null ? "" : r.origin().bundle()).orElse(""),
                    record.map(r -> r.origin() == null ? 0 : r.origin().cumulativeLevel()).orElse(0),
                    record.map(InstalledPatch::cves).orElse(List.of()),
                    record.map(InstalledPatch::installedAt).orElse(null)));
            if (record.isPresent() && !record.get().effectiveVersion().isBlank()) {
                effective = record.get().effectiveVersion();
            }
        }
        List<CveTarget.Pending> pending = new ArrayList<>();
        if (feed.isPresent()) {
            pending = FeedOffers.pending(feed.get(), id, inForce);
        }
        return new CveTarget("host", false, true, id.release(), id.version(), id.buildId().orElse(""), effective,
                inForce, pending,
                null, null, feed.isPresent() ? "" : feedProblem);
    }
}
