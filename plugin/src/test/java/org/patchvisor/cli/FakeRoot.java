package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.patchvisor.kernel.KernelCallException;
import org.patchvisor.kernel.ModuleSyscalls;
import org.patchvisor.time.Ticker;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.io.SystemProcessRunner;
import picocli.CommandLine;

/**
 * A filesystem root with the procfs and sysfs files patchvisor reads, written from the formats the kernel uses,
 * and syscalls that record instead of loading: enough to run the real command classes without a kernel.
 */
final class FakeRoot implements ModuleSyscalls {
    final Path root;
    final StringBuilder syscalls = new StringBuilder();

    FakeRoot(Path root, String release) throws IOException {
        this.root = root;
        write("proc/sys/kernel/osrelease", release + "\n");
        write("proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)\n");
        write("proc/sys/kernel/tainted", "0\n");
        write("proc/sys/kernel/hostname", "node7\n");
        write("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet\n");
        write("proc/modules", "");
        write("proc/self/status", "Name:\tjava\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
        write("sys/module/module/parameters/sig_enforce", "N\n");
        write("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
        Files.createDirectories(root.resolve("sys/kernel/livepatch"));
        Files.write(root.resolve("sys/kernel/notes"), Files.readAllBytes(Path.of("src/test/resources/elf/sys-kernel-notes.bin")));
    }

    FakeRoot write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return this;
    }

    /** A live patch as the kernel shows it: enabled/transition attributes and object/function directories. */
    FakeRoot livePatch(String name, boolean enabled, boolean transition, String object, String... functions)
            throws IOException {
        write("sys/kernel/livepatch/" + name + "/enabled", enabled ? "1\n" : "0\n");
        write("sys/kernel/livepatch/" + name + "/transition", transition ? "1\n" : "0\n");
        for (String f : functions) {
            Files.createDirectories(root.resolve("sys/kernel/livepatch/" + name + "/" + object + "/" + f));
        }
        Files.createDirectories(root.resolve("sys/module/" + name));
        return this;
    }

    @Override
    public void finitModule(Path module) throws IOException {
        syscalls.append("finit_module ").append(module.getFileName()).append('\n');
        throw new KernelCallException("finit_module", KernelCallException.EPERM, "not a real kernel");
    }

    @Override
    public void deleteModule(String name) throws IOException {
        syscalls.append("delete_module ").append(name).append('\n');
        throw new KernelCallException("delete_module", KernelCallException.EPERM, "not a real kernel");
    }

    /** The ticker every command waits on. */
    Ticker ticker = Ticker.SYSTEM;

    /** The hypervisor adapters the CLI sees: none unless a test sets its own. */
    HypervisorAdapters adapters = new HypervisorAdapters(java.util.List::of);

    /** Runs the real CLI against this root and returns exit code, stdout and stderr. */
    Run run(String... args) {
        return run(adapters, args);
    }

    /** Runs the real CLI with these adapters (and no host tools) against this root. */
    Run run(HypervisorAdapters adapters, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = PatchvisorCli.commandLine(new HostContext(root, () -> this, ticker, Map.of()),
                adapters, new SystemProcessRunner(""));
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    record Run(int exit, String out, String err) {
    }
}
