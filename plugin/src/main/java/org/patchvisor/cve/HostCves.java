package org.patchvisor.cve;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.feed.Feed;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.StateStore;

/**
 * The host's CVE answer: the live patches in force in its kernel now (sysfs), what their records say they fix (kept
 * when they were applied, so the feed need not be reachable) and what the feed offers on top ({@link KernelCves}).
 */
public final class HostCves {
    private HostCves() {
    }

    /**
     * @param hostName    the machine's name, which documents written for scanners identify it by
     * @param feed        the feed, or empty with {@code feedProblem} saying why it could not be read
     */
    public static CveTarget read(KernelPort kernel, StateStore store, String hostName, Optional<Feed> feed,
            String feedProblem) throws IOException {
        KernelId id = kernel.identify();
        List<LivePatch> live = kernel.patches();
        Map<String, KernelCves.Known> known = new HashMap<>();
        String effective = id.release();
        for (InstalledPatch record : store.installed(id)) {
            known.put(record.patchName(), new KernelCves.Known(record.origin() == null ? "" : record.origin().bundle(),
                    record.origin() == null ? 0 : record.origin().cumulativeLevel(), record.cves(),
                    record.installedAt(), record.sha256()));
            boolean active = live.stream().anyMatch(p -> p.name().equals(record.patchName()) && p.enabled());
            if (active && !record.effectiveVersion().isBlank()) {
                effective = record.effectiveVersion();
            }
        }
        Map<String, String> buildIds = new HashMap<>();
        for (LivePatch patch : live) {
            kernel.moduleBuildId(patch.name()).ifPresent(b -> buildIds.put(patch.name(), b));
        }
        KernelCves.Answer answer = KernelCves.of(id, live, known, buildIds, feed);
        return new CveTarget("host", hostName, false, true, answer.offersKnown(), id.release(), id.version(),
                id.machine(), id.buildId().orElse(""), effective, answer.inForce(), answer.pending(), null, null,
                feed.isPresent() ? "" : feedProblem);
    }
}
