package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.RevokedPatches;
import org.patchvisor.state.StateStore;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.HostKernel;
import org.patchvisor.model.KernelId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor check}: compares what the signed feed offers for the running kernel with what is loaded.
 * Exit codes follow {@code kcarectl --status} and Nagios plugins, so monitoring can run it as is:
 * {@value #UP_TO_DATE} up to date, {@value #UPDATES_AVAILABLE} updates available,
 * {@value #UNSUPPORTED_KERNEL} the feed has nothing for this kernel, or a patch the feed revoked is loaded
 * (critical: run {@code upgrade} to remove it), {@value #FAILED} error (feed unreachable, verification failed,
 * bad config). Bundles this host's channel, delay or max-level hold back are listed with the reason. Only the index
 * is fetched; nothing is downloaded or applied.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Show whether live patches are available for this kernel (exit 0/1/2/3 like Nagios).")
public final class CheckCommand implements Callable<Integer> {
    public static final int UP_TO_DATE = 0;
    public static final int UPDATES_AVAILABLE = 1;
    public static final int UNSUPPORTED_KERNEL = 2;
    /** Nagios' critical: a revoked live patch is loaded (the same code as an unsupported kernel). */
    public static final int CRITICAL = 2;
    public static final int FAILED = 3;

    private final HostKernel host;
    private final Map<String, String> env;
    private final Clock clock;
    private final FetchLimits limits;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Mixin
    FeedFileOptions files = new FeedFileOptions();

    @ParentCommand
    PatchvisorCli parent;

    /** Used by picocli: the host's kernel, the environment and the clock come from the parent's context. */
    public CheckCommand() {
        this(null, null, null, FetchLimits.defaults());
    }

    public CheckCommand(HostKernel host, Map<String, String> env, Clock clock, FetchLimits limits) {
        this.host = host;
        this.env = env;
        this.clock = clock;
        this.limits = limits;
    }

    @Override
    public Integer call() {
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            HostKernel machine = host != null ? host : HostKernel.of(parent.context().kernel());
            Map<String, String> env = this.env != null ? this.env : parent.context().env();
            Clock clock = this.clock != null ? this.clock : parent.context().clock();
            KernelId kernel = machine.kernel();
            List<String> installed = machine.installedPatches();
            result.put("kernel", Map.of("release", kernel.release(), "buildId", kernel.buildId().orElse("")));
            result.put("installed", installed);
            FeedConfig settings = FeedSettings.read(files.config(), files.stateDirOption(), env,
                    spec.commandLine().getErr());
            Feed feed = Feed.open(settings, env, clock, limits, FeedSettings.warnings(spec.commandLine().getErr()));
            List<BundleEntry> available = feed.available(kernel);
            result.put("available", available.stream().map(BundleEntry::id).toList());
            Map<BundleEntry, String> held = feed.heldBack(kernel);
            result.put("heldBack", held.entrySet().stream().map(h -> Map.of("id", h.getKey().id(), "reason",
                    h.getValue())).toList());
            Map<String, String> recorded = new HashMap<>();
            new StateStore(settings.stateDir()).installed(kernel).forEach(p -> recorded.put(p.patchName(), p.sha256()));
            List<RevokedPatches.InUse> revoked = feed.revokedInUse(kernel, installed,
                    machine.moduleBuildIds(installed), recorded);
            if (!revoked.isEmpty()) {
                result.put("revoked", RevokedView.of(revoked));
                return finish(result, CRITICAL, "revoked", "revoked live patch in use on " + describe(kernel)
                        + ": " + String.join("; ", revoked.stream().map(r -> r.patch() + " ("
                        + r.revocation().reason() + ")").toList()) + "; run 'patchvisor upgrade' to remove it");
            }
            if (available.isEmpty()) {
                return finish(result, UNSUPPORTED_KERNEL, "unsupported",
                        "kernel " + describe(kernel) + " is not supported by the feed: no live patches exist for it");
            }
            Optional<BundleEntry> update = feed.newestCumulative(kernel, installed);
            String heldText = held.entrySet().stream()
                    .map(h -> "; held back: " + h.getKey().id() + " (" + h.getValue() + ")").reduce("", String::concat);
            if (update.isPresent()) {
                BundleEntry entry = update.get();
                result.put("update", entry);
                return finish(result, UPDATES_AVAILABLE, "updates-available", "update available for "
                        + describe(kernel) + ": " + entry.id() + " (level " + entry.cumulativeLevel() + ")"
                        + (entry.cves().isEmpty() ? "" : " fixes " + String.join(", ", entry.cves())) + heldText);
            }
            return finish(result, UP_TO_DATE, "up-to-date", "kernel " + describe(kernel) + " is up to date ("
                    + (installed.isEmpty() ? "no patch loaded" : String.join(", ", installed)) + ")" + heldText);
        } catch (IOException | IllegalArgumentException e) {
            return finish(result, FAILED, "error", ShortErrorHandler.message(e));
        }
    }

    private static String describe(KernelId kernel) {
        return kernel.release() + kernel.buildId().map(id -> " (build-id " + id + ")").orElse("");
    }

    private int finish(Map<String, Object> result, int code, String status, String message) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            result.put("status", status);
            result.put("exitCode", code);
            result.put("message", message);
            Json.print(out, result);
        } else if (code == FAILED) {
            spec.commandLine().getErr().println("patchvisor check: " + message);
        } else {
            out.println(message);
        }
        return code;
    }
}
