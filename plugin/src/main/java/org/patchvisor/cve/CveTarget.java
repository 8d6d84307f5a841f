package org.patchvisor.cve;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which CVEs one kernel has fixed by live patches, and which the feed offers for it that are not applied yet: the
 * answer for the host or for one guest ({@link KernelCves} is the rule). A guest that could not be asked now is
 * {@code known = false}: what it carried when it was last seen is kept apart, with when.
 *
 * @param target        {@code host}, or the guest's name (escaped where it is shown)
 * @param id            what tells the target apart for good: the host's name, or the guest's adapter and id
 * @param guest         true for a guest
 * @param known         whether the target's kernel was read now (a stopped or silent guest is not)
 * @param offersKnown   whether the feed could be read, so what it offers (pending, not covered) is known
 * @param kernelVersion the kernel's {@code uname -v} (which names the distribution's package version)
 * @param machine       the kernel's {@code uname -m}, when known
 * @param pending       CVEs the feed offers for this kernel that are not fixed here, each with its bundle and, when
 *                      this host's channel, delay or level holds it back, why
 * @param note          why something is not known (the feed unreachable, the guest stopped), or empty
 */
public record CveTarget(String target, String id, boolean guest, boolean known, boolean offersKnown, String kernel,
        String kernelVersion, String machine, String buildId, String effectiveVersion, List<PatchInForce> patches,
        List<Pending> pending, Instant lastSeen, Instant lastPatched, String note) {

    /**
     * A live patch in force, with the bundle it came from, the CVEs it fixes (those of lower cumulative levels it
     * covers included), since when (if known), and whether the feed revoked it (then it fixes nothing).
     */
    public record PatchInForce(String patch, String bundle, int cumulativeLevel, List<String> cves, Instant since,
            boolean revoked) {
        public PatchInForce {
            Objects.requireNonNull(patch, "patch");
            bundle = bundle == null ? "" : bundle;
            cves = List.copyOf(new TreeSet<>(cves));
        }
    }

    /** A CVE the feed fixes for this kernel in a bundle not in force here. */
    public record Pending(String cve, String bundle, String heldBack) {
        public Pending {
            Objects.requireNonNull(cve, "cve");
            heldBack = heldBack == null ? "" : heldBack;
        }

        /** Whether this host's channel, delay or level holds the bundle back on purpose. */
        public boolean held() {
            return !heldBack.isEmpty();
        }
    }

    public CveTarget {
        Objects.requireNonNull(target, "target");
        id = id == null ? target : id;
        kernel = kernel == null ? "" : kernel;
        kernelVersion = kernelVersion == null ? "" : kernelVersion;
        machine = machine == null ? "" : machine;
        buildId = buildId == null ? "" : buildId;
        effectiveVersion = effectiveVersion == null ? "" : effectiveVersion;
        patches = List.copyOf(patches);
        pending = List.copyOf(pending);
        note = note == null ? "" : note;
    }

    /** Every CVE the patches in force fix, sorted (for a target not known now: as it was when last seen). */
    public SortedSet<String> fixed() {
        SortedSet<String> fixed = new TreeSet<>();
        patches.forEach(p -> fixed.addAll(p.cves()));
        return fixed;
    }

    /** How {@code cve} stands here now. */
    public CveStatus statusOf(String cve) {
        if (!known) {
            return CveStatus.UNKNOWN;
        }
        if (fixed().contains(cve)) {
            return CveStatus.FIXED;
        }
        if (!offersKnown) {
            return CveStatus.UNKNOWN;
        }
        return pending.stream().anyMatch(p -> p.cve().equals(cve)) ? CveStatus.AVAILABLE : CveStatus.NOT_COVERED;
    }

    /** Whether nothing is open here: asked now, the feed read, and no CVE pending. */
    public boolean clean() {
        return known && offersKnown && pending.isEmpty();
    }
}
