package org.patchvisor.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * A VM that runs this machine's real systemd as PID 1 on a real Debian kernel, from a persistent disk: what it
 * installs, configures and records is there again at the next boot, whichever kernel that boot runs. Each boot is
 * a new QEMU process on the same disk, as a reboot of a host is a new boot from the same disk.
 */
final class SystemdVm implements AutoCloseable {
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration BOOTED_TIMEOUT = Duration.ofSeconds(600);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(240);

    private final Path disk;
    private KernelVm vm;

    private SystemdVm(Path disk) {
        this.disk = disk;
    }

    /** A new, empty 2 GiB (sparse) ext4 disk at {@code dir/disk.img}; nothing boots yet. */
    static SystemdVm withNewDisk(Path dir) throws IOException {
        Path disk = dir.resolve("disk.img");
        HostScripts.run(60, "mkfs.ext4", "-q", "-F", "-L", "pvstate", disk.toString(), "2G");
        return new SystemdVm(disk);
    }

    /** Boots {@code release} from the disk and waits until systemd says the boot is finished and nothing failed. */
    void boot(String release, String... kernelArgs) throws IOException {
        if (vm != null) {
            vm.close();
        }
        KernelVm.Options defaults = KernelVm.Options.defaults();
        KernelVm.Options options = new KernelVm.Options(defaults.memoryMb(), defaults.cpus(), List.of(),
                AGENT_TIMEOUT).withKernelArgs(kernelArgs).withSystemd(disk);
        vm = KernelVm.boot(release, options);
        ExecResult state = vm.exec(BOOTED_TIMEOUT, "systemctl", "is-system-running", "--wait");
        if (!"running".equals(state.stdout().strip())) {
            throw new IOException("systemd ended its boot " + state.stdout().strip() + ": "
                    + vm.sh("systemctl --failed --no-legend --plain").stdout() + "\n" + vm.serialTail());
        }
    }

    /** The running boot, or null between boots (for failure reports). */
    KernelVm current() {
        return vm;
    }

    KernelVm vm() {
        if (vm == null) {
            throw new IllegalStateException("the VM is not booted");
        }
        return vm;
    }

    /** A clean reboot through systemd; returns once the old boot's QEMU has ended (it runs with -no-reboot). */
    void reboot() throws IOException {
        vm().shOk("sync");
        vm().shOk("systemctl reboot --no-block");
        if (!vm.awaitShutdown(SHUTDOWN_TIMEOUT)) {
            throw new IOException("the VM did not shut down within " + SHUTDOWN_TIMEOUT + "\n" + vm.serialTail());
        }
        vm = null;
    }

    /** A condition read from the running VM. */
    interface Check {
        boolean holds() throws IOException;
    }

    /** Polls {@code done} about once a second until it holds; false if it still does not after {@code timeout}. */
    boolean await(Duration timeout, Check done) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            vm().shOk("sleep 1");
        }
        return true;
    }

    /** {@code systemctl show} of {@code unit}'s {@code properties}, in the order asked. */
    Map<String, String> show(String unit, String... properties) throws IOException {
        StringBuilder command = new StringBuilder("systemctl show " + unit);
        for (String property : properties) {
            command.append(" -p ").append(property);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : vm().shOk(command.toString()).lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** One property of a unit, as {@code systemctl show} gives it. */
    String property(String unit, String property) throws IOException {
        return show(unit, property).getOrDefault(property, "");
    }

    /** This boot's journal of {@code unit}, messages only. */
    String journal(String unit) throws IOException {
        return journal(unit, "cat");
    }

    /** This boot's journal of {@code unit} in journalctl's {@code output} format. */
    String journal(String unit, String output) throws IOException {
        return vm().shOk("journalctl -b -u " + unit + " -o " + output + " --no-pager");
    }

    @Override
    public void close() {
        if (vm != null) {
            vm.close();
        }
    }
}
