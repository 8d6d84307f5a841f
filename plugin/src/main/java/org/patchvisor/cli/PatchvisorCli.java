package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.patchvisor.detect.Detection;
import org.patchvisor.detect.Detector;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedConfigException;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestText;
import org.patchvisor.host.HostPatcher;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.kernel.Privileges;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.io.ProcessRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level command. It holds the {@link HostContext} every subcommand runs against, so tests can run the
 * real command classes over a fake root; options live with the subcommands that use them.
 */
@Command(name = "patchvisor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Rebootless kernel patching for virtualization hosts and their guests.",
        subcommands = {StatusCommand.class, UnameCommand.class, ApplyCommand.class, RemoveCommand.class,
                LoadCommand.class, UpgradeCommand.class, GuestsCommand.class, ContainersCommand.class,
                DetectCommand.class, CheckCommand.class, RepoCommand.class, HookCommand.class, WorkerCommand.class,
                CvesCommand.class, VexCommand.class, ResetTrustCommand.class, DiffCommand.class, BuildCommand.class,
                CommandLine.HelpCommand.class})
public final class PatchvisorCli {
    private final HostContext context;
    private final HypervisorAdapters adapters;

    /** The real host; what the build's generators (bash completion, man pages) instantiate by class name. */
    public PatchvisorCli() {
        this(HostContext.system(), HypervisorAdapters.installed());
    }

    public PatchvisorCli(HostContext context, HypervisorAdapters adapters) {
        this.context = context;
        this.adapters = adapters;
    }

    /** Runs host programs (make, patch, kpatch-build) for the commands that need them: the context's runner. */
    ProcessRunner processes() {
        return context.processes();
    }

    public static int run(String... args) {
        return commandLine(HostContext.system()).execute(args);
    }

    /** The configured picocli command line over the adapters installed with this build and the context's seams. */
    public static CommandLine commandLine(HostContext context) {
        return commandLine(context, HypervisorAdapters.installed(), context.processes());
    }

    /** The configured picocli command line: short errors, documented exit codes; host programs run by {@code processes}. */
    public static CommandLine commandLine(HostContext context, HypervisorAdapters adapters, ProcessRunner processes) {
        CommandLine cmd = new CommandLine(new PatchvisorCli(context.withProcesses(processes), adapters));
        cmd.setExecutionExceptionHandler(new ShortErrorHandler());
        cmd.setExecutionStrategy(new UnknownCommands(new CommandLine.RunLast()));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    HostContext context() {
        return context;
    }

    /** Opens the hypervisor adapters that apply here; the caller closes them. */
    GuestTargets guestTargets(List<String> uris) throws IOException {
        return GuestTargets.open(adapters, new AdapterContext(context.root(), uris, context.env(), context.processes(), context.ticker()));
    }

    /**
     * The host patcher for every command that changes the kernel. Inside a container the kernel belongs to the
     * host, so this refuses before anything is read (the config file included), locked or written: the one check
     * all those commands share.
     */
    HostPatcher hostPatcher(StateOptions state, PrintWriter warnings) throws IOException, PatchException {
        refuseInsideContainer();
        return patcher(stateDir(state, warnings), state.lockWait());
    }

    /** As {@link #hostPatcher(StateOptions, PrintWriter)} over a state directory the caller resolved (upgrade). */
    HostPatcher hostPatcher(Path stateDir, Duration lockWait) throws IOException, PatchException {
        refuseInsideContainer();
        return patcher(stateDir, lockWait);
    }

    /**
     * The state directory by {@link StateDirectory}'s rule, for commands that read nothing else from the config
     * file: the host's {@code /etc/patchvisor/patchvisor.conf}, under the context's root. Only its {@code state-dir}
     * lines are read; any other malformed line is a warning on {@code warnings}, not a failure.
     */
    Path stateDir(StateOptions state, PrintWriter warnings) throws FeedConfigException {
        Path config = context.root().resolve(ConfigFile.DEFAULT.toString().substring(1));
        return StateDirectory.resolve(state.stateDirOption(), context.env(),
                () -> StateDirectory.fromOptionalConfig(config, problem -> {
                    warnings.println("patchvisor: warning: " + GuestText.oneLine(problem)
                            + " (ignored: this command reads only " + FeedConfig.STATE_DIR_KEY + ")");
                    warnings.flush();
                }));
    }

    private HostPatcher patcher(Path stateDir, Duration lockWait) throws IOException {
        return new HostPatcher(context.kernel(), context.ticker(), context.clock(), stateDir, lockWait,
                runningAsRoot());
    }

    /** Whether this process runs with effective uid 0 (read from the context's /proc, so tests can say). */
    boolean runningAsRoot() throws IOException {
        return Privileges.effectiveUid(context.root()) == 0;
    }

    /**
     * Throws {@link Outcome#IN_CONTAINER} inside a container. A command that works before it needs
     * the patcher (fetching a feed, say) calls this first, so it refuses before doing anything.
     */
    void refuseInsideContainer() throws IOException, PatchException {
        Optional<String> refusal = detect().refusal();
        if (refusal.isPresent()) {
            throw new PatchException(Outcome.IN_CONTAINER, refusal.get());
        }
    }

    HypervisorAdapters adapters() {
        return adapters;
    }

    /** What adapters see: the context's root and environment, host tools through the process seam. */
    AdapterContext adapterContext() {
        return new AdapterContext(context.root(), List.of(), context.env(), context.processes(), context.ticker());
    }

    /** What this machine is, read under the context's root. */
    Detection detect() throws IOException {
        return Detector.forRoot(context.root()).detect();
    }
}
