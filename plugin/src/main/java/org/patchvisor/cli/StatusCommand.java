package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.fleet.GuestInventory;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.detect.Detection;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.kernel.KernelSupport;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.TaintFlags;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor status}: the kernel's identity, whether it can be live-patched, and what it carries. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the running kernel, its live-patch support, the live patches it carries and its taint.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Option(names = "--guests", description = "Also show every guest: agent, kernel and live patches.")
    boolean withGuests;

    @Mixin
    GuestOptions guests;

    @Override
    public Integer call() throws Exception {
        KernelPort kernel = parent.context().kernel();
        KernelId id = kernel.identify();
        KernelSupport support = kernel.support();
        List<LivePatch> patches = kernel.patches();
        List<InstalledPatch> installed = new StateStore(parent.stateDir(state, spec.commandLine().getErr())).installed(id);
        String effective = EffectiveVersion.of(id, installed, patches);
        Detection detection = parent.detect();
        Optional<String> refusal = detection.refusal();
        // On an OpenVZ/LXC host the patches listed here are every container's too.
        Optional<String> shared = detection.sharedKernelHost() ? Optional.of(detection.plan()) : Optional.empty();
        PrintWriter out = spec.commandLine().getOut();
        List<GuestInventory.Row> rows = withGuests ? guestRows() : List.of();
        if (json) {
            Map<String, Object> view = view(id, support, patches, installed, effective);
            view.put("insideContainer", refusal.isPresent());
            view.put("refusal", refusal.orElse(null));
            view.put("sharedKernelHost", shared.isPresent());
            view.put("plan", detection.plan());
            if (withGuests) {
                view.put("guests", GuestInventoryText.view(rows));
            }
            Json.print(out, view);
        } else {
            print(out, id, support, patches, installed, effective);
            refusal.ifPresent(line -> out.println("container:  " + line));
            shared.ifPresent(plan -> out.println("containers: " + plan + " (patchvisor containers lists them)"));
            if (withGuests) {
                out.println();
                GuestInventoryText.print(out, rows);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private List<GuestInventory.Row> guestRows() throws java.io.IOException {
        try (GuestTargets targets = parent.guestTargets(guests.uris())) {
            if (targets.none()) {
                spec.commandLine().getErr().println("patchvisor: no guests " + targets.describe());
            }
            return GuestInventory.collect(targets.all(), GuestPatcher.standard());
        }
    }

    private static void print(PrintWriter out, KernelId id, KernelSupport support, List<LivePatch> patches,
            List<InstalledPatch> installed, String effective) {
        out.println("kernel:     " + id.release() + " " + id.version() + " (" + id.machine() + ")");
        out.println("build-id:   " + id.buildId().orElse("unknown"));
        out.println("effective:  " + effective);
        out.println("livepatch:  " + (support.livepatch() ? "supported" : "NOT supported (no /sys/kernel/livepatch)")
                + "; signatures " + (support.sigEnforce() ? "enforced" : "not enforced")
                + "; lockdown " + support.lockdown().orElse("n/a"));
        String letters = TaintFlags.of(support.taint()).letters();
        out.println("taint:      " + (support.taint() == 0 ? "none" : letters + " (" + support.taint() + ")"));
        if (patches.isEmpty()) {
            out.println("patches:    none loaded");
        } else {
            out.println("patches:");
            for (LivePatch p : patches) {
                String st = p.inTransition() ? (p.enabled() ? "in transition (patching)" : "in transition (unpatching)")
                        : p.enabled() ? "enabled" : "disabled";
                out.printf("  %-24s %s%s%n", p.name(), st,
                        recorded(installed, p.name()).map(i -> "; installed " + i.installedAt()).orElse("; not recorded"));
                p.functionsByObject().forEach((object, functions) ->
                        out.println("      " + object + ": " + String.join(" ", functions)));
            }
        }
        for (InstalledPatch i : installed) {
            if (patches.stream().noneMatch(p -> p.name().equals(i.patchName()))) {
                out.println("  " + i.patchName() + " is recorded as installed but not loaded (run: patchvisor load --all)");
            }
        }
    }

    private static Map<String, Object> view(KernelId id, KernelSupport support, List<LivePatch> patches,
            List<InstalledPatch> installed, String effective) {
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("release", id.release());
        kernel.put("version", id.version());
        kernel.put("machine", id.machine());
        kernel.put("buildId", id.buildId().orElse(null));
        kernel.put("effectiveRelease", effective);
        Map<String, Object> sup = new LinkedHashMap<>();
        sup.put("livepatch", support.livepatch());
        sup.put("sigEnforce", support.sigEnforce());
        sup.put("lockdown", support.lockdown().orElse(null));
        Map<String, Object> taint = new LinkedHashMap<>();
        taint.put("mask", support.taint());
        taint.put("flags", TaintFlags.of(support.taint()).letters());
        taint.put("livePatched", TaintFlags.of(support.taint()).isLivePatched());
        List<Map<String, Object>> list = new ArrayList<>();
        for (LivePatch p : patches) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", p.name());
            one.put("enabled", p.enabled());
            one.put("transition", p.inTransition());
            one.put("functions", p.functionsByObject());
            Optional<InstalledPatch> rec = recorded(installed, p.name());
            one.put("installed", rec.isPresent());
            rec.ifPresent(r -> {
                one.put("installedAt", r.installedAt().toString());
                one.put("source", r.source());
                one.put("sha256", r.sha256());
            });
            list.add(one);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kernel", kernel);
        view.put("support", sup);
        view.put("taint", taint);
        view.put("patches", list);
        view.put("installedNotLoaded", installed.stream().map(InstalledPatch::patchName)
                .filter(n -> patches.stream().noneMatch(p -> p.name().equals(n))).toList());
        return view;
    }

    private static Optional<InstalledPatch> recorded(List<InstalledPatch> installed, String name) {
        return installed.stream().filter(i -> i.patchName().equals(name)).findFirst();
    }
}
