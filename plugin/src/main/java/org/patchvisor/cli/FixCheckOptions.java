package org.patchvisor.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code build --check-fix}: the upstream fix and where the kernel's source and config come from. */
final class FixCheckOptions {
    @Option(names = "--check-fix", paramLabel = "FIX.patch",
            description = "Before building, compile the units this upstream fix touches twice in the kernel's own "
                    + "source (without and with it), compare, and refuse (exit " + ExitCodes.NOT_COVERED + ") when "
                    + "the live patch does not replace every function the fix changed.")
    Path fix;

    @Option(names = "--kernel-source", paramLabel = "TARBALL",
            description = "Kernel source tarball (default /usr/src/linux-source-X.Y.tar.xz, Debian's linux-source-X.Y).")
    Path tarball;

    @Option(names = "--kernel-config", paramLabel = "FILE",
            description = "The kernel's configuration (default the headers' .config, else /boot/config-RELEASE).")
    Path config;

    @Option(names = "--source-cache", paramLabel = "DIR",
            description = "Where the prepared source tree is kept between checks (default "
                    + "/var/cache/patchvisor/kernel-source).")
    Path cache;

    @Option(names = "--unit", paramLabel = "FILE.c",
            description = "A further compilation unit to compare: one that includes a header the fix changes "
                    + "through another header (units that include it directly are found).")
    List<String> units = new ArrayList<>();

    /** The directory holding one prepared tree per release. */
    Path cache(Path root) {
        return cache != null ? cache : root.resolve("var/cache/patchvisor/kernel-source");
    }

    /** Whether an option that only means something with --check-fix was given without it. */
    boolean strayWithoutFix() {
        return fix == null && (tarball != null || config != null || cache != null || !units.isEmpty());
    }
}
