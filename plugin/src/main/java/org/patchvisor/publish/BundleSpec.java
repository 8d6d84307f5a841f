package org.patchvisor.publish;

import java.util.List;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.FeedIndex;

/**
 * What a publisher says about a module when adding it, beyond what the module file itself tells:
 * {@code kernels} are build-ids or releases (empty: the release from the module's vermagic); {@code channel} is the
 * one it is published to first (promoted to others later).
 */
public record BundleSpec(List<String> kernels, List<String> cves, Optional<String> description,
        Optional<String> effectiveVersion, List<String> replaces, int cumulativeLevel, List<String> functions,
        String channel) {

    public BundleSpec {
        kernels = List.copyOf(kernels);
        cves = List.copyOf(cves);
        replaces = List.copyOf(replaces);
        functions = List.copyOf(functions);
        BundleEntry.requireChannel(channel);
    }

    /** Published to {@link FeedIndex#DEFAULT_CHANNEL}. */
    public BundleSpec(List<String> kernels, List<String> cves, Optional<String> description,
            Optional<String> effectiveVersion, List<String> replaces, int cumulativeLevel, List<String> functions) {
        this(kernels, cves, description, effectiveVersion, replaces, cumulativeLevel, functions,
                FeedIndex.DEFAULT_CHANNEL);
    }

    public static BundleSpec defaults() {
        return new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(), List.of(), 1, List.of());
    }

    public BundleSpec withChannel(String name) {
        return new BundleSpec(kernels, cves, description, effectiveVersion, replaces, cumulativeLevel, functions, name);
    }
}
