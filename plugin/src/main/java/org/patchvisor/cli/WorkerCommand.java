package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.fleet.GuestCves;
import org.patchvisor.fleet.GuestWorkerHandler;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.fleet.Worker;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.state.GuestRecordStore;
import org.patchvisor.guest.GuestText;
import org.patchvisor.hooks.EventSpool;
import org.patchvisor.hooks.HookInstaller;
import org.patchvisor.rollout.RolloutOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor worker}: drains the spool the libvirt hook fills. Each queued guest is one job however many
 * starts it had: wait for its agent, patch it through the rollout engine, drop its events once it ended in a final
 * state. Runs until stopped (the systemd service), or one pass with {@code --once}. One worker per spool (a lock
 * in the spool directory). Logs one line per guest on stderr, which the journal keeps.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Patch guests queued by the libvirt hook as soon as their agent answers.")
final class WorkerCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    GuestOptions guestOptions;

    @Option(names = "--once", description = "One pass over the queue, then exit (0 when every queued guest is done).")
    boolean once;

    @Option(names = "--spool", paramLabel = "DIR", description = "The hook's spool directory (default: ${DEFAULT-VALUE}).")
    Path spool = HookInstaller.DEFAULT_SPOOL;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default ${DEFAULT-VALUE}).")
    Path config = ConfigFile.DEFAULT;

    @Option(names = "--agent-wait", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
            description = "How long to wait for a started guest's agent to answer (default: ${DEFAULT-VALUE}).")
    Duration agentWait;

    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often to look at the spool and to ping a silent agent (default: ${DEFAULT-VALUE}).")
    Duration poll;

    @Option(names = "--max-backoff", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "A guest whose agent stays silent is retried after --agent-wait, then ever later, doubling up "
                    + "to this (default: ${DEFAULT-VALUE}).")
    Duration maxBackoff;

    @Option(names = "--give-up-after", paramLabel = "DURATION", defaultValue = "24h",
            converter = DurationConverter.OrZero.class,
            description = "Drop a guest's events, reported as gave-up, when its agent still cannot be reached and its "
                    + "oldest event is this old (0: at the first such try); failed guests are kept "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration giveUpAfter;

    @Option(names = "--guest-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "Bound on patching one guest: transfer, load, transition, verify (default: ${DEFAULT-VALUE}).")
    Duration guestTimeout;

    @Option(names = "--metrics-file", paramLabel = "FILE",
            description = "Write Prometheus textfile-collector metrics here after every pass (default: config key metrics-file).")
    Path metricsFile;

    @Option(names = "--only", paramLabel = "GUEST",
            description = "Patch only guests whose name matches (glob, repeatable); other queued guests are dropped.")
    List<String> only = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GUEST",
            description = "Never patch guests whose name matches (glob, repeatable); their queued events are dropped.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = parent.context().env();
        PrintWriter err = spec.commandLine().getErr();
        FeedConfig settings = FeedSettings.read(config, Optional.empty(), env, err);
        Optional<Path> metrics = RunMetrics.configured(metricsFile, config);
        GuestWorkerHandler handler = new GuestWorkerHandler(() -> parent.guestTargets(guestOptions.uris()),
                () -> openFeed(settings, env, parent.context().clock(), spec.commandLine().getErr()), parent.context().ticker(), agentWait, poll, guestTimeout,
                GuestPatcher.standard(), RolloutOptions.defaults().withOnly(only).withExclude(exclude))
                .recordingIn(new GuestRecordStore(settings.stateDir()), parent.context().clock());
        EventSpool events = new EventSpool(spool, warning -> {
            err.println("patchvisor worker: warning: " + warning);
            err.flush();
        });
        SpoolDrainer drainer = new SpoolDrainer(events, handler, parent.context().clock(), agentWait,
                maxBackoff, giveUpAfter);
        List<SpoolDrainer.Handled> handled = new Worker(spool, drainer, parent.context().clock(), parent.context().ticker(), poll)
                .run(once, new Journal(err, metrics, parent.context().clock(), new GuestRecordStore(settings.stateDir()),
                        () -> openFeed(settings, env, parent.context().clock(), err)));
        return ExitPolicy.workerPass(handled);
    }

    /** The journal's line for one guest. The name is exact in the spool (it addresses the guest): printable here. */
    static String logLine(SpoolDrainer.Handled h) {
        return "patchvisor worker: guest " + GuestText.printable(h.guest()) + ": " + h.result().state().label()
                + (h.result().isFinal() ? "" : " (kept for retry)")
                + " [" + h.events() + " event(s)]"
                + (h.result().reason().isBlank() ? "" : ": " + h.result().reason());
    }

    /** Logs each guest on stderr, the journal's, and keeps the worker's metrics: what the core does not print. */
    private static final class Journal implements Worker.Listener {
        private final PrintWriter err;
        private final Optional<Path> metrics;
        private final RunMetrics counters = new RunMetrics("worker");
        private final Clock clock;

        private final Optional<GuestRecordStore> records;
        private final Supplier<Feed> feed;

        Journal(PrintWriter err, Optional<Path> metrics, Clock clock, GuestRecordStore records, Supplier<Feed> feed) {
            this.clock = clock;
            this.err = err;
            this.metrics = metrics;
            this.records = metrics.isPresent() ? Optional.of(records) : Optional.empty();
            this.feed = feed;
        }

        @Override
        public void handled(SpoolDrainer.Handled h) {
            err.println(logLine(h));
            err.flush();
            counters.guest(GuestText.printable(h.guest()), h.result().state());   // as upgrade --guests
        }

        @Override
        public void passed(List<SpoolDrainer.Handled> pass) throws IOException {
            if (Worker.allDone(pass)) {
                counters.success(clock.instant());
            }
            err.flush();
            if (!pass.isEmpty()) {
                if (records.isPresent()) {
                    // What every guest the host knows of has fixed, as the records say after this pass.
                    Optional<Feed> reachable = Optional.empty();
                    try {
                        Feed opened = feed.get();
                        opened.index();
                        reachable = Optional.of(opened);
                        counters.feed(opened);
                    } catch (IOException | RuntimeException e) {
                        // The figures of what is fixed do not need the feed.
                    }
                    Set<String> names = new HashSet<>();
                    pass.forEach(h -> names.add(h.guest()));
                    GuestCves.recorded(records.get(), r -> names.contains(r.name()), reachable).forEach(counters::cves);
                }
                counters.write(metrics, clock.instant());
                counters.nextRun();
            }
        }
    }

    private static Feed openFeed(FeedConfig settings, Map<String, String> env, Clock clock, PrintWriter err) {
        try {
            return Feed.open(settings, env, clock, FetchLimits.defaults(), FeedSettings.warnings(err));
        } catch (IOException e) {
            throw new UncheckedIOException("the feed cannot be used: " + e.getMessage(), e);
        }
    }
}
