package org.patchvisor.cve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.model.KernelId;

/** The CVEs the feed offers for a kernel that the patches in force there do not fix: one rule for host and guests. */
final class FeedOffers {
    private FeedOffers() {
    }

    static List<CveTarget.Pending> pending(Feed feed, KernelId kernel, List<CveTarget.PatchInForce> inForce)
            throws IOException {
        Set<String> fixed = new TreeSet<>();
        inForce.forEach(p -> fixed.addAll(p.cves()));
        Map<BundleEntry, String> held = feed.heldBack(kernel);
        List<CveTarget.Pending> pending = new ArrayList<>();
        for (BundleEntry bundle : feed.available(kernel)) {
            for (String cve : bundle.cves()) {
                if (!fixed.contains(cve) && pending.stream().noneMatch(p -> p.cve().equals(cve))) {
                    pending.add(new CveTarget.Pending(cve, bundle.id(), held.getOrDefault(bundle, "")));
                }
            }
        }
        pending.sort(Comparator.comparing(CveTarget.Pending::cve));
        return pending;
    }
}
