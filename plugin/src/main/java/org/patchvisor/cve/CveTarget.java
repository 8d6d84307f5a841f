package org.patchvisor.cve;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which CVEs one kernel has fixed by live patches, and which the feed offers for it that are not applied yet: the
 * answer for the host or for one guest. A guest that could not be asked now is {@code known = false}: what it
 * carried when it was last seen is still shown, with when.
 *
 * @param target  {@code host}, or the guest's name (escaped where it is shown)
 * @param guest   true for a guest
 * @param kernelVersion the kernel's {@code uname -v} (which names the distribution's package version)
 * @param known   whether the target's kernel was read now (a stopped or silent guest is not)
 * @param pending CVEs the feed offers for this kernel that are not fixed here, each with its bundle and, when this
 *                host's channel, delay or level holds it back, why
 * @param note    why something is not known (the feed unreachable, the guest stopped), or empty
 */
public record CveTarget(String target, boolean guest, boolean known, String kernel, String kernelVersion,
        String buildId, String effectiveVersion, List<PatchInForce> patches, List<Pending> pending, Instant lastSeen,
        Instant lastPatched, String note) {

    /** A live patch in force, with the bundle it came from, the CVEs that bundle fixes, and since when (if known). */
    public record PatchInForce(String patch, String bundle, int cumulativeLevel, List<String> cves, Instant since) {
        public PatchInForce {
            Objects.requireNonNull(patch, "patch");
            bundle = bundle == null ? "" : bundle;
            cves = List.copyOf(cves);
        }
    }

    /** A CVE the feed fixes for this kernel in a bundle not in force here. */
    public record Pending(String cve, String bundle, String heldBack) {
        public Pending {
            Objects.requireNonNull(cve, "cve");
            heldBack = heldBack == null ? "" : heldBack;
        }
    }

    public CveTarget {
        Objects.requireNonNull(target, "target");
        kernel = kernel == null ? "" : kernel;
        kernelVersion = kernelVersion == null ? "" : kernelVersion;
        buildId = buildId == null ? "" : buildId;
        effectiveVersion = effectiveVersion == null ? "" : effectiveVersion;
        patches = List.copyOf(patches);
        pending = List.copyOf(pending);
        note = note == null ? "" : note;
    }

    /** Every CVE the patches in force fix, sorted. */
    public SortedSet<String> fixed() {
        SortedSet<String> fixed = new TreeSet<>();
        patches.forEach(p -> fixed.addAll(p.cves()));
        return fixed;
    }

    /** How {@code cve} stands here; a target not asked now is unknown, whatever it carried when last seen. */
    public CveStatus statusOf(String cve) {
        if (!known) {
            return CveStatus.UNKNOWN;
        }
        if (fixed().contains(cve)) {
            return CveStatus.FIXED;
        }
        return pending.stream().anyMatch(p -> p.cve().equals(cve)) ? CveStatus.AVAILABLE : CveStatus.NOT_COVERED;
    }
}
