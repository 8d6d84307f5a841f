package org.patchvisor.kernel;

import java.io.IOException;
import java.util.Optional;

/**
 * Reads a kernel's live-patch facts ({@link KernelSupport}) from its sysfs and procfs files, wherever those files
 * are reached: this host's root, a root being examined by detection, or a guest through its agent channel. The paths
 * and the parsing live here once, so the host and the guests are judged by the same preflight rules.
 *
 * <p>{@code /sys/kernel/livepatch} exists with CONFIG_LIVEPATCH; {@code sig_enforce} = Y refuses unsigned modules;
 * {@code /sys/kernel/security/lockdown} lists the modes with the active one in brackets
 * ("none [integrity] confidentiality"); an absent file means the feature is not built in (or, for lockdown,
 * securityfs is not mounted: unknown, treated as none, and the kernel still refuses on its own).
 */
public final class KernelFacts {
    public static final String LIVEPATCH = "/sys/kernel/livepatch";
    public static final String SIG_ENFORCE = "/sys/module/module/parameters/sig_enforce";
    public static final String LOCKDOWN = "/sys/kernel/security/lockdown";
    public static final String TAINTED = "/proc/sys/kernel/tainted";

    /** Where the facts are read from. Paths are absolute as the examined kernel sees them. */
    public interface Source {
        boolean isDirectory(String path) throws IOException;

        /** The file's first line, trimmed; empty when the file does not exist. */
        Optional<String> firstLine(String path) throws IOException;
    }

    private KernelFacts() {
    }

    public static KernelSupport read(Source source) throws IOException {
        boolean livepatch = source.isDirectory(LIVEPATCH);
        boolean sigEnforce = source.firstLine(SIG_ENFORCE).map("Y"::equals).orElse(false);
        Optional<String> lockdown = source.firstLine(LOCKDOWN).map(KernelFacts::activeLockdown);
        long taint = 0;
        Optional<String> tainted = source.firstLine(TAINTED);
        if (tainted.isPresent()) {
            try {
                taint = Long.parseLong(tainted.get());
            } catch (NumberFormatException e) {
                throw new KernelFactsException(TAINTED + " holds \"" + shorten(tainted.get()) + "\", not a number");
            }
        }
        return new KernelSupport(livepatch, sigEnforce, lockdown, taint);
    }

    /** The bracketed word of the lockdown file ("none [integrity] confidentiality" gives "integrity"). */
    public static String activeLockdown(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            throw new KernelFactsException(LOCKDOWN + " holds \"" + shorten(line)
                    + "\", expected e.g. \"none [integrity] confidentiality\"");
        }
        return line.substring(open + 1, close);
    }

    /** A guest's file may say anything: never echo more than a short, printable piece of it. */
    private static String shorten(String text) {
        String printable = text.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
    }

    /** A fact file holds something the kernel never writes there. */
    public static final class KernelFactsException extends IllegalStateException {
        KernelFactsException(String message) {
            super(message);
        }
    }
}
