package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import org.patchvisor.host.HostPatcher;
import org.patchvisor.kernel.Privileges;
import org.patchvisor.spi.HypervisorAdapters;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level command. It holds the {@link HostContext} every subcommand runs against, so tests can run the
 * real command classes over a fake root; options live with the subcommands that use them.
 */
@Command(name = "patchvisor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Rebootless kernel patching for virtualization hosts and their guests.",
        subcommands = {StatusCommand.class, UnameCommand.class, ApplyCommand.class, RemoveCommand.class,
                LoadCommand.class, UpgradeCommand.class, GuestsCommand.class, DetectCommand.class,
                CheckCommand.class, RepoCommand.class,
                CommandLine.HelpCommand.class})
public final class PatchvisorCli {
    private final HostContext context;
    private final HypervisorAdapters adapters;

    public PatchvisorCli(HostContext context) {
        this(context, HypervisorAdapters.installed());
    }

    /** With the hypervisor adapters to use: tests hand in their own providers. */
    public PatchvisorCli(HostContext context, HypervisorAdapters adapters) {
        this.context = context;
        this.adapters = adapters;
    }

    public static int run(String... args) {
        return commandLine(HostContext.system()).execute(args);
    }

    /** The configured picocli command line: short errors, documented exit codes. */
    public static CommandLine commandLine(HostContext context) {
        return commandLine(new PatchvisorCli(context));
    }

    public static CommandLine commandLine(HostContext context, HypervisorAdapters adapters) {
        return commandLine(new PatchvisorCli(context, adapters));
    }

    private static CommandLine commandLine(PatchvisorCli top) {
        CommandLine cmd = new CommandLine(top);
        cmd.setExecutionExceptionHandler(new ShortErrorHandler());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    HostContext context() {
        return context;
    }

    /** Opens the hypervisor adapters that apply here; the caller closes them. */
    GuestTargets guestTargets(java.util.List<String> uris) throws IOException {
        return GuestTargets.open(context, adapters, uris);
    }

    HostPatcher hostPatcher(StateOptions state) throws IOException {
        return hostPatcher(state.stateDir(), state.lockWait());
    }

    HostPatcher hostPatcher(Path stateDir, Duration lockWait) throws IOException {
        boolean root = Privileges.effectiveUid(context.root()) == 0;
        return new HostPatcher(context.kernel(), context.ticker(), Clock.systemUTC(), stateDir, lockWait, root);
    }
}
