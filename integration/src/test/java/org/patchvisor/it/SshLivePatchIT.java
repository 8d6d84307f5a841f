package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.guest.SshChannel;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;

/**
 * The SSH channel all the way into a real kernel: the Debian kernel boots under QEMU with its sshd reachable on a
 * forwarded loopback port, and the guest patcher identifies that kernel, loads a real live patch into it and takes
 * it out again over SSH alone (how a Xen guest without an agent channel is patched).
 */
class SshLivePatchIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String MARK = "patchvisor: live patch pv_cmdline active";

    @Test
    void liveRoundTripOverSsh() throws Exception {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireSshd();
        Path patches = HostScripts.samplePatches(release);
        Path keys = Files.createTempDirectory("pv-ssh-vm");
        HostScripts.run(30, "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("client").toString());
        int port = freePort();

        try (KernelVm vm = KernelVm.boot(release, KernelVm.Options.defaults().withHostForward(port, 22))) {
            vm.shOk("mkdir -p /tmp/sshd");
            vm.writeFile("/tmp/sshd/authorized_keys", Files.readAllBytes(keys.resolve("client.pub")));
            vm.shOk("cd /tmp/sshd && ssh-keygen -q -t ed25519 -N '' -f host && mkdir -p /run/sshd && chmod 600 authorized_keys"
                    + " && printf '%s\\n' 'Port 22' 'HostKey /tmp/sshd/host' 'AuthorizedKeysFile /tmp/sshd/authorized_keys'"
                    + " 'PasswordAuthentication no' 'UsePAM no' 'StrictModes no' 'PermitRootLogin prohibit-password'"
                    + " 'Subsystem sftp internal-sftp' >config && /usr/sbin/sshd -f /tmp/sshd/config -E /tmp/sshd/log"
                    // sshd forks into the background before it listens: wait for port 22 (0x16) in LISTEN (0A).
                    + " && i=0 && until grep -q ':0016 [0:]* 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null;"
                    + " do i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done");
            String hostKey = new String(vm.readFile("/tmp/sshd/host.pub"), StandardCharsets.UTF_8).strip();
            Files.writeString(keys.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
            String before = vm.shOk("cat /proc/cmdline");

            SshChannel.Target target = new SshChannel.Target("127.0.0.1", port, "root", keys.resolve("client"),
                    keys.resolve("known_hosts"));
            try (SshChannel ssh = SshChannel.connect(target, TIMEOUT)) {
                GuestPatcher patcher = GuestPatcher.standard();
                KernelId kernel = patcher.identify(ssh);
                assertEquals(release, kernel.release());
                assertTrue(kernel.buildId().isPresent(), "build-id read from the guest's /sys/kernel/notes over SFTP");

                Path ko = patches.resolve("pv_cmdline.ko");
                GuestOutcome outcome = patcher.apply(ssh, ko, ModuleFiles.read(ko), TIMEOUT);
                assertEquals(Outcome.APPLIED, outcome.state(), outcome.reason());
                assertTrue(ssh.exec(java.util.List.of("cat", "/proc/cmdline"), TIMEOUT).stdout().contains(MARK));
                assertTrue(vm.shOk("cat /proc/cmdline").contains(MARK), "seen through the agent too");

                patcher.remove(ssh, "pv_cmdline", TIMEOUT);
                assertEquals(before, vm.shOk("cat /proc/cmdline"));
                assertFalse(vm.shOk("cat /proc/modules").contains("pv_cmdline"));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
