package org.patchvisor.state;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One live patch recorded as installed on a kernel: enough for the boot service to load it again from the
 * store (by {@code sha256}) and for {@code status} to say where it came from.
 *
 * @param patchName   the livepatch name, as under /sys/kernel/livepatch
 * @param moduleName  the kernel module name (what delete_module takes)
 * @param sha256      lower-case hex digest of the module file; also its name in the store
 * @param size        module size in bytes
 * @param installedAt when the transition completed
 * @param source      where the module came from (file path or feed URL); informational only
 * @param replaces    patch names this one supersedes; recording it drops them from the installed list
 * @param cumulative  whether the patch carries all earlier fixes (atomic replace)
 * @param effectiveVersion the kernel release this patch brings the kernel up to (from the feed), or empty
 * @param origin      the feed bundle it came from, with its CVEs; null for a module applied from a file
 */
public record InstalledPatch(
        String patchName,
        String moduleName,
        String sha256,
        long size,
        Instant installedAt,
        String source,
        List<String> replaces,
        boolean cumulative,
        String effectiveVersion,
        BundleOrigin origin) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public InstalledPatch {
        requireText(patchName, "patchName");
        requireText(moduleName, "moduleName");
        if (sha256 == null) {
            throw new IllegalArgumentException("installed patch " + patchName + " has no sha256");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 of patch " + patchName + " is not 64 hex digits: " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size of patch " + patchName + " is negative: " + size);
        }
        if (installedAt == null) {
            throw new IllegalArgumentException("installed patch " + patchName + " has no installedAt time");
        }
        source = source == null ? "" : source;
        replaces = replaces == null ? List.of() : List.copyOf(replaces);
        effectiveVersion = effectiveVersion == null ? "" : effectiveVersion;
        if (replaces.contains(patchName)) {
            throw new IllegalArgumentException("patch " + patchName + " cannot replace itself");
        }
    }

    /** A patch with no declared effective version (a module applied from a file). */
    public InstalledPatch(String patchName, String moduleName, String sha256, long size, Instant installedAt,
            String source, List<String> replaces, boolean cumulative) {
        this(patchName, moduleName, sha256, size, installedAt, source, replaces, cumulative, "", null);
    }

    /** The CVEs this patch fixes, as the feed said when it delivered it (none for a module from a file). */
    public List<String> cves() {
        return origin == null ? List.of() : origin.cves();
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("installed patch has no " + field);
        }
    }
}
