package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestAgentException;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;

/** Boots the generic Debian kernel once and checks the harness and the real guest agent end to end. */
class KernelVmIT {
    private static KernelVm vm;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void boot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        vm = KernelVm.boot(release);
        System.out.printf("[timing] %s boot to guest-ping: %d ms%n", release, vm.bootTime().toMillis());
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void guestRunsTheRequestedKernel() throws IOException {
        ExecResult uname = vm.exec("/bin/uname", "-r");
        assertEquals(0, uname.exitCode(), uname.stderr());
        assertEquals(vm.release(), uname.stdout().strip());
        assertTrue(vm.serialLog().contains("pv-init: guest agent on"), vm.serialTail());
    }

    @Test
    void livepatchSysfsAndModulesAreUsable() throws IOException {
        vm.shOk("test -d /sys/kernel/livepatch");
        String dryRun = vm.shOk("modprobe -n -v dummy");
        assertTrue(dryRun.contains("/lib/modules/" + vm.release() + "/"), dryRun);
        String mounts = vm.shOk("cat /proc/mounts");
        assertTrue(mounts.contains("overlay / overlay"), mounts);
        assertTrue(mounts.contains("tmpfs /var/lib/patchvisor tmpfs"), mounts);
    }

    @Test
    void javaRunsInside() throws IOException {
        long start = System.nanoTime();
        ExecResult java = vm.exec("/usr/bin/java", "-version");
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[timing] java -version inside the guest: %d ms%n", millis);
        assertEquals(0, java.exitCode(), java.stderr());
        assertTrue(java.stderr().contains("version \"17"), java.stderr());
    }

    @Test
    void fileRoundTripThroughTheAgent() throws Exception {
        byte[] content = new byte[300 * 1024];
        new Random(42).nextBytes(content);
        long start = System.nanoTime();
        vm.channel().writeFile("/tmp/roundtrip.bin", content, Duration.ofSeconds(60));
        long written = System.nanoTime();
        assertArrayEquals(content, vm.channel().readFile("/tmp/roundtrip.bin", content.length, Duration.ofSeconds(60)));
        System.out.printf("[timing] 300 KiB write %d ms, read %d ms%n", (written - start) / 1_000_000,
                (System.nanoTime() - written) / 1_000_000);
        String sum = vm.shOk("wc -c < /tmp/roundtrip.bin");
        assertEquals(Integer.toString(content.length), sum.strip());
    }

    @Test
    void agentErrorsAndTimeoutsSurfaceAsTypedExceptions() throws Exception {
        GuestAgentException missing = assertThrows(GuestAgentException.class,
                () -> vm.channel().readFile("/nonexistent/file", 100, Duration.ofSeconds(30)));
        assertTrue(missing.description().contains("No such file"), missing.getMessage());
        assertThrows(GuestTimeoutException.class,
                () -> vm.channel().exec(List.of("/bin/sleep", "5"), Duration.ofSeconds(1)));
        assertEquals("after", vm.shOk("echo after").strip());
        assertEquals(3, vm.sh("exit 3").exitCode());
    }
}
