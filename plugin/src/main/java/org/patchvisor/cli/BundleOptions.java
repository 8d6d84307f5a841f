package org.patchvisor.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.patchvisor.publish.BundleSpec;
import picocli.CommandLine.Option;

/** What a publisher says about a bundle beyond the module itself: shared by {@code repo add} and {@code build}. */
final class BundleOptions {
    @Option(names = "--cve", paramLabel = "ID", description = "CVE fixed by this patch (repeatable).")
    List<String> cves = new ArrayList<>();

    @Option(names = "--effective-version", paramLabel = "V",
            description = "The kernel version the patched kernel is equivalent to.")
    String effectiveVersion;

    @Option(names = "--replaces", paramLabel = "NAME", description = "Live patch module this one replaces (repeatable).")
    List<String> replaces = new ArrayList<>();

    @Option(names = "--cumulative-level", paramLabel = "N", defaultValue = "1",
            description = "Level of this cumulative patch; a higher level supersedes lower ones (default ${DEFAULT-VALUE}).")
    int cumulativeLevel;

    @Option(names = "--channel", paramLabel = "NAME", defaultValue = "stable",
            description = "Channel the bundle is published to first (default ${DEFAULT-VALUE}); "
                    + "'repo promote' adds it to others later.")
    String channel;

    BundleSpec spec(List<String> kernels, Optional<String> description, List<String> functions) {
        return new BundleSpec(kernels, cves, description, Optional.ofNullable(effectiveVersion), replaces,
                cumulativeLevel, functions, channel);
    }
}
