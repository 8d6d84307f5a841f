package org.patchvisor.fleet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;

/**
 * The open adapters of one command run and the guests they see: opens every installed adapter that applies
 * here, finds a guest by name, and closes them all at the end. Commands use it in try-with-resources.
 */
public final class GuestTargets implements AutoCloseable {
    /** A guest together with the adapter that can enter it. */
    public record Target(HypervisorAdapter adapter, Guest guest) {
    }

    private final List<HypervisorAdapter> adapters;
    private final List<String> installed;

    private GuestTargets(List<HypervisorAdapter> adapters, List<String> installed) {
        this.adapters = adapters;
        this.installed = installed;
    }

    /** Opens every installed adapter that applies to {@code adapterContext}; none opened when one fails. */
    public static GuestTargets open(HypervisorAdapters providers, AdapterContext adapterContext) throws IOException {
        List<HypervisorAdapter> open = new ArrayList<>();
        List<HypervisorAdapterProvider> all = providers.all();
        try {
            for (HypervisorAdapterProvider provider : all) {
                if (provider.appliesTo(adapterContext)) {
                    open.add(provider.open(adapterContext));
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(open);
            throw e;
        }
        return new GuestTargets(open, all.stream().map(HypervisorAdapterProvider::name).toList());
    }

    /** Every guest of every open adapter, in adapter order. */
    public List<Target> all() throws IOException {
        List<Target> targets = new ArrayList<>();
        for (HypervisorAdapter adapter : adapters) {
            for (Guest guest : adapter.guests()) {
                targets.add(new Target(adapter, guest));
            }
        }
        return targets;
    }

    /** The guest called {@code name}; NOT_FOUND when no adapter knows it, or when two do (ambiguous). */
    public Target find(String name) throws IOException, PatchException {
        List<Target> matches = all().stream().filter(t -> t.guest().name().equals(name)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new PatchException(Outcome.NOT_FOUND, "no guest named '" + name + "' "
                    + describe());
        }
        throw new PatchException(Outcome.NOT_FOUND, "the name '" + name + "' is ambiguous: "
                + matches.size() + " guests carry it (use -c to choose one connection)");
    }

    /** "(adapters: libvirt)" or why there are none, for error messages. */
    public String describe() {
        if (!adapters.isEmpty()) {
            return "(adapters: " + String.join(", ", adapters.stream().map(HypervisorAdapter::name).toList()) + ")";
        }
        return installed.isEmpty() ? "(no hypervisor adapter is installed)"
                : "(no hypervisor found here for the installed adapters: " + String.join(", ", installed) + ")";
    }

    public boolean none() {
        return adapters.isEmpty();
    }

    @Override
    public void close() {
        closeQuietly(adapters);
    }

    private static void closeQuietly(List<HypervisorAdapter> adapters) {
        for (HypervisorAdapter adapter : adapters) {
            try {
                adapter.close();
            } catch (IOException e) {
                // Closing at the end of a command: its result is already decided.
            }
        }
    }
}
