package org.patchvisor.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Finds the adapters installed with this build. The providers come from a supplier so tests hand in their own;
 * the default is ServiceLoader over the class path.
 */
public final class HypervisorAdapters {
    private final Supplier<Iterable<HypervisorAdapterProvider>> providers;

    public HypervisorAdapters(Supplier<Iterable<HypervisorAdapterProvider>> providers) {
        this.providers = providers;
    }

    public static HypervisorAdapters installed() {
        return new HypervisorAdapters(() -> ServiceLoader.load(HypervisorAdapterProvider.class));
    }

    public List<HypervisorAdapterProvider> all() {
        List<HypervisorAdapterProvider> all = new ArrayList<>();
        providers.get().forEach(all::add);
        return all;
    }

    /** The providers with something to manage on this host. */
    public List<HypervisorAdapterProvider> applicable(AdapterContext context) {
        return all().stream().filter(p -> p.appliesTo(context)).toList();
    }
}
