package org.patchvisor.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.model.KernelId;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor uname}: uname with the effective release of a live-patched kernel, so inventory and
 * vulnerability scanners that key on {@code uname -r} see the level the patches brought it to.
 */
@Command(name = "uname", mixinStandardHelpOptions = true,
        description = "Print kernel information like uname(1), with the effective release of the live patches.")
final class UnameCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @Option(names = {"-r", "--kernel-release"}, description = "Print the effective kernel release.")
    boolean release;

    @Option(names = {"-v", "--kernel-version"}, description = "Print the kernel version.")
    boolean version;

    @Option(names = {"-a", "--all"}, description = "Print all information, as uname -a.")
    boolean all;

    @Override
    public Integer call() throws Exception {
        KernelPort kernel = parent.context().kernel();
        KernelId id = kernel.identify();
        List<InstalledPatch> installed = new StateStore(parent.stateDir(state, spec.commandLine().getErr())).installed(id);
        String effective = EffectiveVersion.of(id, installed, kernel.patches());
        PrintWriter out = spec.commandLine().getOut();
        if (all) {
            out.println(String.join(" ", "Linux", hostname(), effective, id.version(), id.machine(), "GNU/Linux"));
        } else if (release && version) {
            out.println(effective + " " + id.version());
        } else if (release) {
            out.println(effective);
        } else if (version) {
            out.println(id.version());
        } else {
            out.println("Linux");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private String hostname() throws java.io.IOException {
        java.nio.file.Path file = parent.context().root().resolve("proc/sys/kernel/hostname");
        return java.nio.file.Files.isReadable(file) ? org.patchvisor.kernel.KernelFiles.read(file)
                : InetAddress.getLocalHost().getHostName();
    }
}
