package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.cve.HostCves;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedException;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.fleet.GuestCves;
import org.patchvisor.fleet.GuestFleetUpgrade;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.host.HostPatcher;
import org.patchvisor.host.HostUpgrade;
import org.patchvisor.host.UpgradePlan;
import org.patchvisor.kernel.ApplyReport;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.KernelId;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.Outcome;
import org.patchvisor.rollout.Plan;
import org.patchvisor.rollout.PlanText;
import org.patchvisor.rollout.ProgressListener;
import org.patchvisor.rollout.Report;
import org.patchvisor.rollout.RolloutListener;
import org.patchvisor.state.GuestRecordStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor upgrade}: applies the newest cumulative live patch the signed feed has for the running kernel
 * and records it for the boot service; what the systemd timer runs. Exit codes: 0 applied or already up to date,
 * {@link ExitCodes#NO_PATCHES} when the feed has nothing for this kernel, {@link ExitCodes#FEED_FAILED} when the
 * feed could not be used, and the apply's own codes (not root, refused, timeout, locked...) otherwise. Every
 * failure is one line on stderr and leaves the kernel and the installed records as they were.
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = "Download, verify and apply the newest live patch the feed has for this kernel.")
final class UpgradeCommand implements Callable<Integer>, ExitPolicy.FeedCommand {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default ${DEFAULT-VALUE}).")
    Path config = ConfigFile.DEFAULT;

    @Mixin
    TransitionTimeout timeout = new TransitionTimeout();

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = "--guests", description = "Upgrade the guests (VMs with their own kernels) instead of this host, "
            + "through their hypervisor adapters and the rollout options below.")
    boolean guests;

    @Mixin
    GuestOptions guestOptions;

    @Option(names = "--metrics-file", paramLabel = "FILE",
            description = "Prometheus textfile-collector metrics (default: config key metrics-file); "
                    + "written as <name>-upgrade.prom or <name>-guests.prom.")
    Path metricsFile;

    @Mixin
    RolloutFlags rolloutFlags;

    @Option(names = "--level", paramLabel = "N",
            description = "Take no bundle above cumulative level N in this run (the config's max-level, for one run).")
    Integer level;

    /** What this run settled of an earlier one before planning, for the report. */
    private List<String> settled = List.of();

    @Override
    public Integer call() throws Exception {
        long startedMs = System.currentTimeMillis();
        Clock clock = parent.context().clock();
        Map<String, Object> view = new LinkedHashMap<>();
        try {
            Map<String, String> env = parent.context().env();
            Optional<Path> explicitStateDir = state.stateDirOption();
            Optional<String> misplaced = guestOnlyOptionGiven();
            if (!guests && misplaced.isPresent()) {
                // Without --guests the command changes this host's kernel: a guest selection must never be ignored.
                return fail(view, ExitCodes.USAGE, misplaced.get() + " selects guests; add --guests", null);
            }
            if (!guests) {
                // Inside a container the kernel is the host's: refused before the config is read, so that a broken
                // config cannot hide the reason.
                parent.refuseInsideContainer();
            }
            if (level != null && level < 1) {
                return fail(view, ExitCodes.USAGE, "--level must be a cumulative level from 1, not " + level, null);
            }
            FeedConfig read = FeedSettings.read(config, explicitStateDir, env, spec.commandLine().getErr());
            FeedConfig settings = level == null ? read : read.withMaxLevel(level);
            Consumer<String> warnings = FeedSettings.warnings(spec.commandLine().getErr());
            Optional<Path> metrics = RunMetrics.configured(metricsFile, config);
            boolean dryRun = rolloutFlags.dryRun;
            if (guests) {
                RunMetrics figures = new RunMetrics("guests");
                Feed feed = dryRun ? Feed.openReadOnly(settings, env, clock, FetchLimits.defaults(), warnings)
                        : Feed.open(settings, env, clock, FetchLimits.defaults(), warnings);
                int code = upgradeGuests(feed, figures, new GuestRecordStore(settings.stateDir()));
                if (dryRun) {
                    return code; // a dry run leaves no trace, metrics included
                }
                figures.feed(feed);
                if (code == ExitCodes.OK) {
                    figures.success(clock.instant());
                }
                figures.write(metrics, clock.instant());
                return code;
            }
            if (dryRun) {
                Feed feed = Feed.openReadOnly(settings, env, clock, FetchLimits.defaults(), warnings);
                HostPatcher patcher = parent.hostPatcher(settings.stateDir(), state.lockWait());
                HostUpgrade upgrade = new HostUpgrade(parent.context().kernel(), patcher, feed);
                UpgradePlan plan = upgrade.plan();
                return HostPlanText.print(plan, feed, upgrade.wouldRefuse(plan), parent.runningAsRoot(), json,
                        spec.commandLine().getOut());
            }
            Feed feed = Feed.open(settings, env, clock, FetchLimits.defaults(), warnings);
            HostPatcher patcher = parent.hostPatcher(settings.stateDir(), state.lockWait());
            HostUpgrade upgrade = new HostUpgrade(parent.context().kernel(), patcher, feed);
            RunMetrics figures = new RunMetrics("upgrade");
            HostUpgrade.Result outcome;
            try {
                // A run stopped half-way (systemctl stop, a kill) may have left a patch mid-transition: settled before
                // the plan reads the kernel, or it would pass for the patch in force. Said at once: the run may fail.
                settled = patcher.settleInterrupted(timeout.value);
                view.put("reconciled", settled);
                if (!json) {
                    settled.forEach(line -> spec.commandLine().getErr().println("patchvisor upgrade: note: " + line));
                    spec.commandLine().getErr().flush();
                }
                outcome = upgrade.run(timeout.value, Progress.to(spec.commandLine().getErr(), !json));
            } catch (Exception e) {
                // A failed run still says what is in force now, a revoked patch it could not remove included: that
                // alert needs it most then. The run's own error stays the one reported.
                try {
                    writeHostFigures(figures, metrics, feed, patcher);
                } catch (IOException | RuntimeException writing) {
                    e.addSuppressed(writing);
                }
                throw e;
            }
            int code = report(outcome, view, startedMs);
            if (outcome.status() == HostUpgrade.Status.APPLIED) {
                figures.hostApplied(outcome.kernel().release());
            }
            figures.success(clock.instant());
            writeHostFigures(figures, metrics, feed, patcher);
            return code;
        } catch (FeedException | PatchException e) {
            return fail(view, ExitPolicy.code(e, this), e.getMessage(), e);
        } catch (ElfFormatException e) {
            return fail(view, ExitPolicy.code(e, this), "the downloaded bundle is not a valid kernel module: " + e.getMessage(), e);
        }
    }

    /** The host's figures after a run: what is fixed, pending and revoked in force now, and the feed's age. */
    private void writeHostFigures(RunMetrics figures, Optional<Path> metrics, Feed feed, HostPatcher patcher)
            throws IOException {
        if (metrics.isPresent()) {
            figures.cves(HostCves.read(parent.context().kernel(), patcher.store(), "host", Optional.of(feed), ""));
        }
        figures.feed(feed);
        figures.write(metrics, parent.context().clock().instant());
    }

    /** The first guest-selecting option on the command line, if any. */
    private Optional<String> guestOnlyOptionGiven() {
        for (String name : List.of("--connect", "--canary", "--max-parallel", "--max-failures", "--guest-timeout",
                "--only", "--exclude")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The fleet rollout; its exit code is {@link ExitPolicy#rollout(Report)}. */
    private int upgradeGuests(Feed feed, RunMetrics figures, GuestRecordStore records) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GuestTargets targets = parent.guestTargets(guestOptions.uris())) {
            if (targets.none()) {
                throw new PatchException(Outcome.NOT_FOUND, "no guests to upgrade " + targets.describe());
            }
            GuestFleetUpgrade fleet = new GuestFleetUpgrade(targets, feed, GuestPatcher.standard(),
                    parent.context().ticker(), Optional.of(records), parent.context().clock());
            Plan plan = fleet.plan(rolloutFlags.options());
            if (!json) {
                out.print(PlanText.render(plan));
                out.flush();
            }
            Report report = fleet.run(plan, json ? RolloutListener.NONE : ProgressListener.forStderr(spec.commandLine().getErr()));
            figures.report(report);
            if (!rolloutFlags.dryRun) {
                Set<String> reached = fleet.reached();
                GuestCves.recorded(records, r -> reached.contains(r.key()), Optional.of(feed)).forEach(figures::cves);
            }
            if (json) {
                Json.print(out, report);
            } else {
                GuestRolloutText.print(out, report);
            }
            return ExitPolicy.rollout(report);
        }
    }

    private int report(HostUpgrade.Result outcome, Map<String, Object> view, long startedMs) {
        KernelId kernel = outcome.kernel();
        String described = kernel.release() + kernel.buildId().map(id -> " (build-id " + id + ")").orElse("");
        view.put("kernel", Map.of("release", kernel.release(), "buildId", kernel.buildId().orElse("")));
        view.put("loadedBefore", outcome.loaded());
        outcome.bundle().ifPresent(b -> view.put("bundle", b));
        view.put("revokedRemoved", RevokedView.of(outcome.removed()));
        List<String> removed = outcome.removed().stream().map(r -> "removed revoked live patch " + r.patch() + " ("
                + r.revocation().bundle() + "): " + r.revocation().reason()).toList();
        return switch (outcome.status()) {
            case NO_PATCHES -> finish(view, ExitPolicy.code(outcome.status()), "no-patches",
                    List.of("the feed has no live patches for kernel " + described));
            case UP_TO_DATE -> finish(view, ExitPolicy.code(outcome.status()), "up-to-date", List.of("kernel " + described + " is up to date"
                    + outcome.bundle().map(b -> " (" + b.id() + ", level " + b.cumulativeLevel() + ")").orElse("")));
            case REVOKED_REMOVED -> finish(view, ExitPolicy.code(outcome.status()), "revoked-removed",
                    concat(removed, List.of("the feed has no other live patch for kernel " + described
                            + " that this host takes now")));
            case APPLIED -> applied(outcome, view, startedMs, removed);
        };
    }

    private static List<String> concat(List<String> first, List<String> then) {
        List<String> all = new ArrayList<>(first);
        all.addAll(then);
        return all;
    }

    private int applied(HostUpgrade.Result outcome, Map<String, Object> view, long startedMs, List<String> removed) {
        BundleEntry bundle = outcome.bundle().orElseThrow();
        HostPatcher.HostApplyResult result = outcome.applied().orElseThrow();
        ApplyReport r = result.report();
        String effective = bundle.effectiveVersion() == null ? "" : bundle.effectiveVersion();
        view.put("effectiveVersion", effective);
        view.put("functions", r.functions());
        view.put("superseded", r.superseded());
        view.put("reconciled", concat(settled, result.reconciled()));
        view.put("timings", Timings.of(startedMs, r));
        List<String> lines = new ArrayList<>(removed);
        result.reconciled().forEach(line -> lines.add("note: " + line));
        lines.add(bundle.id() + " applied: " + r.patch() + " (level " + bundle.cumulativeLevel() + ", "
                + r.functions().values().stream().mapToInt(List::size).sum() + " function(s))"
                + (bundle.cves().isEmpty() ? "" : " fixes " + String.join(", ", bundle.cves()))
                + (effective.isBlank() ? "" : "; effective kernel version " + effective));
        if (!r.superseded().isEmpty()) {
            lines.add("superseded and unloaded: " + String.join(", ", r.superseded()));
        }
        return finish(view, ExitPolicy.code(outcome.status()), "applied", lines);
    }

    private int finish(Map<String, Object> view, int code, String result, List<String> lines) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            view.put("result", result);
            view.put("exitCode", code);
            view.put("message", String.join("\n", lines));
            Json.print(out, view);
        } else {
            lines.forEach(out::println);
            out.flush();
        }
        return code;
    }

    private int fail(Map<String, Object> view, int code, String message, Exception cause) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("patchvisor upgrade: " + GuestText.oneLine(message));
        if (state.debug && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
        if (json) {
            view.put("result", "error");
            view.put("exitCode", code);
            view.put("message", message);
            Json.print(spec.commandLine().getOut(), view);
        }
        return code;
    }
}
