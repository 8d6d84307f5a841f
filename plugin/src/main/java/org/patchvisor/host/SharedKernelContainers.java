package org.patchvisor.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;

/**
 * Every container that runs on this host's kernel, from each applicable adapter that shares it (OpenVZ/Virtuozzo,
 * LXC). Those containers need no patch of their own: the host's live patches are theirs. An adapter that fails
 * is reported beside the others' containers, never hiding them.
 */
public final class SharedKernelContainers {
    private SharedKernelContainers() {
    }

    /** An adapter that could not list its containers, and why. */
    public record Failure(String adapter, String message) {
    }

    /** The containers found, in adapter order, and the adapters that failed. */
    public record Listing(List<Guest> containers, List<String> adapters, List<Failure> failures) {
        public Listing {
            containers = List.copyOf(containers);
            adapters = List.copyOf(adapters);
            failures = List.copyOf(failures);
        }
    }

    public static Listing list(HypervisorAdapters adapters, AdapterContext context) {
        List<Guest> containers = new ArrayList<>();
        List<String> used = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (HypervisorAdapterProvider provider : adapters.all()) {
            try {
                if (!provider.appliesTo(context)) {
                    continue;
                }
                try (HypervisorAdapter adapter = provider.open(context)) {
                    if (adapter.sharesHostKernel()) {
                        used.add(provider.name());
                        containers.addAll(adapter.guests());
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                failures.add(new Failure(provider.name(), e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return new Listing(containers, used, failures);
    }
}
