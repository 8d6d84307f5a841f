package org.patchvisor.detect;

import java.io.IOException;
import java.util.Optional;
import org.patchvisor.kernel.KernelSupport;

/**
 * Reads whether the examined kernel can take a live patch, relative to the root: {@code /sys/kernel/livepatch}
 * exists with CONFIG_LIVEPATCH; {@code sig_enforce} = Y refuses unsigned modules; {@code /sys/kernel/security/lockdown}
 * lists the modes with the active one in brackets ("none [integrity] confidentiality"); absent files mean
 * the feature is not built in.
 */
public final class LivePatchFacts {

    static final String LIVEPATCH = "/sys/kernel/livepatch";
    static final String SIG_ENFORCE = "/sys/module/module/parameters/sig_enforce";
    static final String LOCKDOWN = "/sys/kernel/security/lockdown";
    static final String TAINTED = "/proc/sys/kernel/tainted";

    private LivePatchFacts() {
    }

    public static KernelSupport read(HostFiles files) throws IOException {
        boolean livepatch = files.isDirectory(LIVEPATCH);
        boolean sigEnforce = files.firstLine(SIG_ENFORCE).map("Y"::equals).orElse(false);
        Optional<String> lockdown = files.firstLine(LOCKDOWN).map(LivePatchFacts::activeLockdown);
        long taint = 0;
        Optional<String> tainted = files.firstLine(TAINTED);
        if (tainted.isPresent()) {
            try {
                taint = Long.parseLong(tainted.get());
            } catch (NumberFormatException e) {
                throw new DetectionException(TAINTED + " holds \"" + tainted.get() + "\", not a number");
            }
        }
        return new KernelSupport(livepatch, sigEnforce, lockdown, taint);
    }

    /** The bracketed word of the lockdown file; the file lists every mode the kernel knows. */
    static String activeLockdown(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            throw new DetectionException(LOCKDOWN + " holds \"" + line + "\", expected e.g. \"none [integrity] confidentiality\"");
        }
        return line.substring(open + 1, close);
    }
}
