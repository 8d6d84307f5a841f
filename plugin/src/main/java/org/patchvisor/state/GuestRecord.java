package org.patchvisor.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the host last learned of one guest's kernel: which kernel it ran, which live patches were in force there and
 * which feed bundle (with its CVEs) each came from, when it was last seen and last seen patched. Kept on the host
 * by {@code upgrade --guests} and the worker, so which CVEs a guest has fixed can be answered while it is stopped,
 * and said as of when. Everything in it was reported by the guest or chosen by the host; names are shown escaped.
 *
 * @param key         the adapter and the guest's id ({@code kvm/<uuid>}): stable across renames
 * @param lastPatched when a run last found or left it carrying the feed's bundle, or null
 */
public record GuestRecord(String key, String name, String kernel, String buildId, Instant lastSeen,
        Instant lastPatched, List<Patch> patches) {

    /** One live patch in force in the guest, with the bundle it came from when the host applied it. */
    public record Patch(String patch, BundleOrigin origin, String effectiveVersion, Instant appliedAt) {
        public Patch {
            Objects.requireNonNull(patch, "patch");
            effectiveVersion = effectiveVersion == null ? "" : effectiveVersion;
        }

        /** The CVEs it fixes; none when the host did not apply it and so does not know. */
        public List<String> cves() {
            return origin == null ? List.of() : origin.cves();
        }
    }

    public GuestRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        kernel = kernel == null ? "" : kernel;
        buildId = buildId == null ? "" : buildId;
        patches = patches == null ? List.of() : List.copyOf(patches);
    }
}
