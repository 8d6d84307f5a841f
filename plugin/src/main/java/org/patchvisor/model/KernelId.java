package org.patchvisor.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The exact identity of a running kernel: what {@code uname} says plus the GNU build-id from
 * {@code /sys/kernel/notes}. Two kernels with the same release string can differ (rebuilds, flavours);
 * the build-id cannot, so matching prefers it whenever both sides know it.
 */
public record KernelId(String release, String version, String machine, Optional<String> buildId) {

    public KernelId {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(buildId, "buildId");
        if (release.isBlank()) {
            throw new IllegalArgumentException("kernel release is empty");
        }
        buildId = buildId.map(id -> id.toLowerCase(java.util.Locale.ROOT));
    }

    /** True when a patch built for {@code target} fits this kernel: by build-id if both know it, else by release. */
    public boolean matches(KernelId target) {
        if (buildId.isPresent() && target.buildId.isPresent()) {
            return buildId.get().equals(target.buildId.get());
        }
        return release.equals(target.release);
    }
}
