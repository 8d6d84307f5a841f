package org.patchvisor.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.regex.Pattern;
import org.patchvisor.model.KernelId;

/**
 * One live-patch bundle as the signed index lists it: the manifest of a module file stored in the repository
 * under {@code blobs/sha256/<sha256>}. A cumulative bundle of level N supersedes every lower level for the
 * same kernel (atomic replace), plus any module named in {@code replaces}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BundleEntry(
        String id,
        String module,
        String sha256,
        long size,
        int cumulativeLevel,
        List<String> replaces,
        List<String> cves,
        String description,
        String effectiveVersion,
        List<String> functions,
        List<KernelTarget> kernels) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public BundleEntry {
        requireName("bundle id", id);
        requireName("module name", module);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("bundle " + id + ": sha256 is not 64 lower-case hex digits");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("bundle " + id + ": size must be positive");
        }
        if (cumulativeLevel < 1) {
            throw new IllegalArgumentException("bundle " + id + ": cumulativeLevel must be at least 1");
        }
        replaces = JsonLists.copy(replaces, "bundle " + id + ": 'replaces'");
        cves = JsonLists.copy(cves, "bundle " + id + ": 'cves'");
        functions = JsonLists.copy(functions, "bundle " + id + ": 'functions'");
        kernels = JsonLists.copy(kernels, "bundle " + id + ": 'kernels'");
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("bundle " + id + ": targets no kernel");
        }
    }

    private static void requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " is missing or has characters outside [A-Za-z0-9._+-]: " + value);
        }
    }

    /** True when one of the bundle's targets is exactly this kernel (build-id when both sides know it). */
    public boolean targets(KernelId kernel) {
        return kernels.stream().anyMatch(target -> target.matches(kernel));
    }

    /** Where the module file lives, relative to the repository root. */
    public String blobPath() {
        return "blobs/sha256/" + sha256;
    }
}
