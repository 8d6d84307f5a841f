package org.patchvisor.publish;

import java.util.List;
import java.util.Optional;

/**
 * What a publisher says about a module when adding it, beyond what the module file itself tells:
 * {@code kernels} are build-ids or releases (empty: the release from the module's vermagic).
 */
public record BundleSpec(List<String> kernels, List<String> cves, Optional<String> description,
        Optional<String> effectiveVersion, List<String> replaces, int cumulativeLevel, List<String> functions) {

    public BundleSpec {
        kernels = List.copyOf(kernels);
        cves = List.copyOf(cves);
        replaces = List.copyOf(replaces);
        functions = List.copyOf(functions);
    }

    public static BundleSpec defaults() {
        return new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(), List.of(), 1, List.of());
    }
}
