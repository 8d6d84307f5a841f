package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * A shared-kernel host on a real kernel: inside the test VM three containers run in their own PID, mount, UTS and
 * IPC namespaces ({@code unshare}, util-linux), each with a shell that keeps reading /proc/cmdline through its own
 * procfs. One {@code patchvisor apply} on the host changes what every container reads; {@code patchvisor containers}
 * lists them as covered; {@code patchvisor apply} run inside one of them refuses with exit code 10 and changes
 * nothing.
 */
class LxcContainersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARK = "patchvisor: live patch pv_cmdline active";
    private static final String STATE = "/var/lib/patchvisor/lxc-it";
    private static final int CONTAINERS = 3;

    private static KernelVm vm;
    private static Path patches;
    private static final List<String> inits = new ArrayList<>();

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void bootAndStartContainers() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        patches = HostScripts.samplePatches(release);
        vm = KernelVm.boot(release);
        for (int n = 1; n <= CONTAINERS; n++) {
            // The container gets its own /run (so a marker written there stays inside), its own hostname, and a
            // shell that copies /proc/cmdline, as its own procfs shows it, into /run/seen every 0.2 s.
            String marker = n == 1 ? "mkdir -p /run/systemd && echo lxc >/run/systemd/container && " : "";
            String init = "mount -t tmpfs tmpfs /run && hostname ct" + n + " && " + marker
                    + "while :; do cat /proc/cmdline >/run/seen.tmp && mv /run/seen.tmp /run/seen; sleep 0.2; done";
            String unsharePid = vm.shOk("(unshare --pid --mount --uts --ipc --fork --mount-proc sh -c '" + init
                    + "' </dev/null >/dev/null 2>&1 & echo $!)").strip();
            inits.add(vm.shOk("for i in $(seq 1 100); do c=$(cat /proc/" + unsharePid + "/task/" + unsharePid
                    + "/children 2>/dev/null | tr -d ' '); [ -n \"$c\" ] && [ -e /proc/$c/root/run/seen ] && { echo $c; exit 0; };"
                    + " sleep 0.1; done; exit 1").strip());
        }
    }

    @AfterAll
    static void stopContainersAndVm() {
        if (vm != null) {
            try {
                for (String pid : inits) {
                    vm.sh("kill -9 " + pid);
                }
            } catch (IOException e) {
                // The VM goes away next anyway.
            }
            vm.close();
        }
    }

    @Test
    void oneHostPatchCoversEveryContainerAndInsideOneItIsRefused() throws IOException {
        String pristine = vm.shOk("cat /proc/cmdline").strip();
        String hostPidNs = vm.shOk("readlink /proc/self/ns/pid").strip();
        for (int i = 0; i < CONTAINERS; i++) {
            assertEquals("ct" + (i + 1), inContainer(i, "hostname").strip(), "its own UTS namespace");
            assertFalse(inContainer(i, "readlink /proc/self/ns/pid").strip().equals(hostPidNs), "its own PID namespace");
            assertEquals("sh", inContainer(i, "cat /proc/1/comm").strip(), "its shell is PID 1 of its procfs");
            assertEquals(pristine, seenBy(i), "before the patch");
        }

        long applyStart = System.nanoTime();
        ExecResult apply = pv("apply", ko("pv_cmdline"));
        assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
        System.out.printf("LxcContainersIT: host apply took %d ms%n", (System.nanoTime() - applyStart) / 1_000_000);

        for (int i = 0; i < CONTAINERS; i++) {
            assertTrue(inContainer(i, "cat /proc/cmdline").contains(MARK), "read on demand inside ct" + (i + 1));
            awaitSeen(i, MARK);
        }

        JsonNode listing = JSON.readTree(pvOk("containers", "--json"));
        Set<String> listed = new TreeSet<>();
        for (JsonNode c : listing.get("containers")) {
            if (c.get("adapter").asText().equals("lxc") && c.get("state").asText().equals("running")) {
                assertTrue(c.get("covered").asBoolean(), c.toString());
                assertEquals(vm.release(), c.get("effectiveRelease").asText());
                listed.add(c.get("name").asText().replaceAll("^sh-", ""));
            }
        }
        assertEquals(new TreeSet<>(inits), listed, listing.toString());
        assertEquals("[\"pv_cmdline\"]", listing.at("/host/livePatches").toString());

        // Inside ct1, which carries the /run/systemd/container marker, every kernel-changing command refuses.
        String journalBefore = vm.shOk("cat " + STATE + "/journal.jsonl");
        ExecResult refused = inContainerPv(0, "apply", ko("pv_version"));
        assertEquals(10, refused.exitCode(), refused.stdout() + refused.stderr());
        assertEquals("patchvisor: inside an lxc container: live patches must be applied on the host (hardware node) "
                + "instead", refused.stderr().strip());
        ExecResult removeInside = inContainerPv(0, "remove", "pv_cmdline");
        assertEquals(10, removeInside.exitCode(), removeInside.stderr());
        ExecResult statusInside = inContainerPv(0, "status");
        assertEquals(0, statusInside.exitCode(), statusInside.stderr());
        assertTrue(statusInside.stdout().contains("container:  inside an lxc container"), statusInside.stdout());
        assertEquals("pv_cmdline", vm.shOk("ls /sys/kernel/livepatch").strip(), "nothing loaded or removed");
        assertEquals("", vm.sh("grep '^pv_version ' /proc/modules").stdout());
        assertEquals(journalBefore, vm.shOk("cat " + STATE + "/journal.jsonl"), "no journal entry");

        ExecResult remove = pv("remove", "pv_cmdline");
        assertEquals(0, remove.exitCode(), remove.stderr());
        for (int i = 0; i < CONTAINERS; i++) {
            awaitSeen(i, pristine);
            assertFalse(inContainer(i, "cat /proc/cmdline").contains(MARK));
        }
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /**
     * Runs a shell command inside container {@code i}'s namespaces (its procfs, /run, hostname, PIDs). {@code -r}
     * matters: entering a mount namespace resets the root to the namespace's, which here is the VM's initramfs.
     */
    private static String inContainer(int i, String command) throws IOException {
        return vm.shOk("nsenter -t " + inits.get(i) + " -p -m -u -i -r -w " + command);
    }

    private static String seenBy(int i) throws IOException {
        return vm.shOk("cat /proc/" + inits.get(i) + "/root/run/seen").strip();
    }

    /** Waits for the container's own loop to have read {@code expected} from /proc/cmdline. */
    private static void awaitSeen(int i, String expected) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String seen = seenBy(i);
        while (!seen.contains(expected) && System.nanoTime() < deadline) {
            sleep();
            seen = seenBy(i);
        }
        assertTrue(seen.contains(expected), "ct" + (i + 1) + " read: " + seen);
    }

    private static ExecResult inContainerPv(int i, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", inits.get(i), "-p", "-m", "-u", "-i", "-r", "-w"));
        argv.addAll(argv(args));
        return vm.exec(Duration.ofSeconds(300), argv.toArray(String[]::new));
    }

    private static List<String> argv(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        argv.add("--state-dir");
        argv.add(STATE);
        return argv;
    }

    private static ExecResult pv(String... args) throws IOException {
        return vm.exec(Duration.ofSeconds(300), argv(args).toArray(String[]::new));
    }

    private static String pvOk(String... args) throws IOException {
        ExecResult r = pv(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
        return r.stdout();
    }

    private static String ko(String name) {
        return patches.resolve(name + ".ko").toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
