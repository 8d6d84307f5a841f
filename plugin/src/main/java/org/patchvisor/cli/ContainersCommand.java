package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.host.SharedKernelContainers;
import org.patchvisor.host.SharedKernelContainers.Listing;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.spi.Guest;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor containers}: on a shared-kernel host (OpenVZ/Virtuozzo node, LXC host) every container runs on
 * the host kernel, so the host's live patches cover them all. This lists them with the kernel they effectively run.
 */
@Command(name = "containers", mixinStandardHelpOptions = true,
        description = "List the containers that share this host's kernel (OpenVZ/Virtuozzo, LXC) and the live "
                + "patches that cover them.")
final class ContainersCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> refusal = parent.detect().refusal();
        if (refusal.isPresent()) {
            // From inside a container the host's other containers cannot be seen.
            err.println("patchvisor: " + refusal.get());
            err.flush();
            return ExitCodes.IN_CONTAINER;
        }
        KernelPort kernel = parent.context().kernel();
        KernelId id = kernel.identify();
        List<String> active = kernel.patches().stream().filter(LivePatch::enabled).map(LivePatch::name).toList();
        List<InstalledPatch> installed = new StateStore(parent.stateDir(state, err)).installed(id);
        String effective = EffectiveVersion.of(id, installed, kernel.patches());
        Listing listing = SharedKernelContainers.list(parent.adapters(), parent.adapterContext());
        if (json) {
            Json.print(out, view(id, effective, active, listing));
        } else {
            print(out, id, effective, active, listing);
        }
        listing.failures().forEach(f -> err.println("patchvisor: " + f.adapter() + " adapter: " + f.message()));
        out.flush();
        err.flush();
        return listing.failures().isEmpty() ? ExitCodes.OK : ExitCodes.ERROR;
    }

    private static String coverage(List<String> active) {
        return active.isEmpty() ? "runs the host kernel, which carries no live patch"
                : "covered by the host's live patches";
    }

    private static void print(PrintWriter out, KernelId id, String effective, List<String> active, Listing listing) {
        out.println("host kernel: " + id.release() + " (effective " + effective + ")");
        out.println("live patches: " + (active.isEmpty() ? "none" : String.join(", ", active)));
        if (listing.containers().isEmpty()) {
            out.println(listing.adapters().isEmpty() ? "no shared-kernel container host here (no OpenVZ/Virtuozzo or LXC "
                    + "containers found)" : "no containers");
            return;
        }
        out.printf("%-24s %-8s %-9s %s%n", "CONTAINER", "ADAPTER", "STATE", "KERNEL");
        for (Guest c : listing.containers()) {
            out.printf("%-24s %-8s %-9s %s: %s%n", c.name(), c.adapter(), c.state().label(), effective, coverage(active));
        }
        long running = listing.containers().stream().filter(Guest::running).count();
        out.println(running + " running container(s) of " + listing.containers().size() + " share this kernel: "
                + (active.isEmpty() ? "none is live-patched" : "all are covered by the " + active.size()
                + " live patch(es) above"));
    }

    private static Map<String, Object> view(KernelId id, String effective, List<String> active, Listing listing) {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("release", id.release());
        host.put("buildId", id.buildId().orElse(null));
        host.put("effectiveRelease", effective);
        host.put("livePatches", active);
        List<Map<String, Object>> containers = new ArrayList<>();
        for (Guest c : listing.containers()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("adapter", c.adapter());
            one.put("id", c.id());
            one.put("name", c.name());
            one.put("state", c.state().label());
            one.put("kernel", "host");
            one.put("effectiveRelease", effective);
            one.put("covered", !active.isEmpty());
            one.put("coverage", coverage(active));
            containers.add(one);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("host", host);
        view.put("adapters", listing.adapters());
        view.put("containers", containers);
        view.put("failures", listing.failures().stream()
                .map(f -> Map.of("adapter", f.adapter(), "message", f.message())).toList());
        return view;
    }
}
