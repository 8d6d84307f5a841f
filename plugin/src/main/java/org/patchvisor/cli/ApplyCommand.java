package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.patchvisor.host.HostPatcher;
import org.patchvisor.kernel.ApplyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor apply FILE.ko}: load one live patch into the running kernel and record it. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Load a live-patch module into the running kernel, wait for its transition, verify it, "
                + "and record it so it is reloaded at boot.")
final class ApplyCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Parameters(paramLabel = "FILE.ko", description = "The live-patch module.")
    Path module;

    @Mixin
    TransitionTimeout timeout = new TransitionTimeout();

    @Option(names = "--json", description = "Print the result as JSON, with timings.")
    boolean json;

    @Option(names = "--guest", paramLabel = "NAME",
            description = "Apply to this guest's kernel (through its hypervisor and guest agent) instead of the host's.")
    String guest;

    @Mixin
    GuestOptions guests;

    @Override
    public Integer call() throws Exception {
        long startedMs = System.currentTimeMillis();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (guest != null) {
            return GuestApply.run(parent, guests, guest, module, timeout.value, json, out, err);
        }
        HostPatcher patcher = parent.hostPatcher(state, err);
        HostPatcher.HostApplyResult result = patcher.apply(module.toAbsolutePath(), module.toAbsolutePath().toString(),
                timeout.value, Progress.to(err, !json));
        ApplyReport r = result.report();
        if (json) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("patch", r.patch());
            view.put("result", r.alreadyApplied() ? "already-applied" : "applied");
            view.put("functions", r.functions());
            view.put("superseded", r.superseded());
            view.put("reconciled", result.reconciled());
            view.put("loadRetries", r.loadRetries());
            view.put("taint", r.taint());
            view.put("timings", Timings.of(startedMs, r));
            Json.print(out, view);
        } else {
            result.reconciled().forEach(line -> out.println("note: " + line));
            if (r.alreadyApplied()) {
                out.println(r.patch() + " is already applied");
            } else {
                out.printf("%s applied: %d function(s) patched in %d ms (load %d ms, transition %d ms, verify %d ms)%n",
                        r.patch(), r.functions().values().stream().mapToInt(List::size).sum(),
                        r.loadMillis() + r.transitionMillis() + r.verifyMillis(), r.loadMillis(), r.transitionMillis(),
                        r.verifyMillis());
                if (!r.superseded().isEmpty()) {
                    out.println("superseded and unloaded: " + String.join(", ", r.superseded()));
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
