package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.patchvisor.hooks.HookInstaller;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor hook install|uninstall}: puts the libvirt hook that spools guest starts for the worker into
 * libvirt's per-daemon hook directories, or takes it out. Idempotent; other hooks are never touched. Exit codes:
 * 0, or {@link ExitCodes#FOREIGN_FILE} when a file that is not ours sits where our hook goes (left as it is).
 */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = "Install or remove the libvirt hook that queues starting guests for 'patchvisor worker'.")
final class HookCommand implements Callable<Integer> {
    enum Verb { install, uninstall }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "install|uninstall", description = "install or uninstall.")
    Verb verb;

    @Option(names = "--hooks-dir", paramLabel = "DIR", description = "libvirt's hook directory (default: ${DEFAULT-VALUE}).")
    Path hooksDir = HookInstaller.DEFAULT_HOOKS_DIR;

    @Option(names = "--spool", paramLabel = "DIR", description = "Where the hook queues events (default: ${DEFAULT-VALUE}).")
    Path spool = HookInstaller.DEFAULT_SPOOL;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HookInstaller installer = new HookInstaller(hooksDir);
        List<HookInstaller.Change> changes = verb == Verb.install ? installer.install(spool) : installer.uninstall();
        boolean conflict = false;
        boolean changed = false;
        for (HookInstaller.Change change : changes) {
            if (change.action() == HookInstaller.Action.CONFLICT) {
                err.println("patchvisor hook: " + change.file() + " is not patchvisor's hook; left untouched");
                conflict = true;
            } else {
                out.println(change.action().name().toLowerCase(Locale.ROOT) + " " + change.file());
                changed |= change.action() != HookInstaller.Action.UNCHANGED && change.action() != HookInstaller.Action.ABSENT;
            }
        }
        if (changed) {
            out.println("restart libvirtd (and virtqemud/virtlxcd where used): libvirt reads its hooks at start");
        }
        out.flush();
        err.flush();
        return conflict ? ExitCodes.FOREIGN_FILE : ExitCodes.OK;
    }
}
