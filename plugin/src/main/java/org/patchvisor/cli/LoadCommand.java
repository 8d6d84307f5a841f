package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.patchvisor.host.HostPatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor load --all}: what the boot service runs. A rebooted kernel comes back unpatched; this puts
 * back every patch recorded for it (matched by build-id), in the order they were installed.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Reload the live patches recorded as installed for the running kernel (used at boot). "
                + "Skipped when the kernel command line has patchvisor.skip.")
final class LoadCommand implements Callable<Integer> {
    static final String SKIP_SWITCH = "patchvisor.skip";

    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Option(names = "--all", required = true, description = "Load every installed patch for this kernel.")
    boolean all;

    @Mixin
    TransitionTimeout timeout = new TransitionTimeout();

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (skipRequested()) {
            out.println("patchvisor.skip is on the kernel command line: not loading any live patch");
            out.flush();
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        HostPatcher patcher = parent.hostPatcher(state, err);
        HostPatcher.LoadRun run = patcher.loadInstalled(timeout.value, Progress.to(err, !json));
        List<HostPatcher.LoadResult> results = run.loaded();
        if (!json) {
            run.skipped().forEach(line -> err.println("patchvisor load: " + line));
            err.flush();
        }
        if (json) {
            List<Map<String, Object>> view = new ArrayList<>();
            for (HostPatcher.LoadResult r : results) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("patch", r.patch().patchName());
                one.put("result", r.report().alreadyApplied() ? "already-applied" : "applied");
                one.put("transitionMs", r.report().transitionMillis());
                view.add(one);
            }
            Json.print(out, Map.of("loaded", view, "skipped", run.skipped()));
        } else if (results.isEmpty()) {
            out.println("no live patches installed for this kernel");
        } else {
            for (HostPatcher.LoadResult r : results) {
                out.println(r.patch().patchName() + (r.report().alreadyApplied() ? " already applied" : " loaded"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private boolean skipRequested() throws java.io.IOException {
        String cmdline = org.patchvisor.kernel.KernelFiles.read(parent.context().root().resolve("proc/cmdline"));
        for (String word : cmdline.trim().split("\\s+")) {
            if (word.equals(SKIP_SWITCH) || word.equals(SKIP_SWITCH + "=1")) {
                return true;
            }
        }
        return false;
    }
}
