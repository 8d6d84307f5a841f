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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * The host engine on a real kernel: the Debian kernel boots under QEMU with this machine's root shared in, and
 * {@code bin/patchvisor} runs inside it as root against real live-patch modules built for that kernel. Each test
 * asserts the kernel is back to where it started, so the tests share one boot.
 */
class HostEngineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CMDLINE_MARK = "patchvisor: live patch pv_cmdline active";

    private static KernelVm vm;
    private static Path patches;
    private static Path otherKernelPatches;
    private static String pristineCmdline;
    private static String pristineVersion;
    private String stateDir;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void boot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        patches = HostScripts.samplePatches(release);
        otherKernelPatches = HostScripts.samplePatches(components.cloudRelease().orElseThrow(() -> new AssertionError("no cloud-flavour kernel installed (linux-image-cloud-amd64)")));
        vm = KernelVm.boot(release);
        pristineCmdline = vm.shOk("cat /proc/cmdline");
        pristineVersion = vm.shOk("cat /proc/version");
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @BeforeEach
    void freshState(TestInfo test) {
        stateDir = "/var/lib/patchvisor/" + test.getTestMethod().orElseThrow().getName();
    }

    /** Every test leaves the kernel as it found it: no live patch, no module, the original behaviour. */
    @AfterEach
    void kernelIsPristine() throws IOException {
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"), "live patches left behind");
        assertEquals("", vm.sh("grep '^pv_' /proc/modules").stdout(), "modules left behind");
        assertEquals(pristineCmdline, vm.shOk("cat /proc/cmdline"));
        assertEquals(pristineVersion, vm.shOk("cat /proc/version"));
    }

    @Test
    void applyShowsInStatusAndRemoveRestores() throws IOException {
        ExecResult apply = pv("apply", ko("pv_cmdline"), "--json");
        assertEquals(0, apply.exitCode(), apply.stderr());
        JsonNode result = JSON.readTree(apply.stdout());
        assertEquals("applied", result.get("result").asText());
        assertTrue(result.at("/functions/vmlinux").toString().contains("cmdline_proc_show"), apply.stdout());
        JsonNode timings = result.path("timings");
        for (String step : List.of("loadMs", "transitionMs", "verifyMs", "totalMs")) {
            assertTrue(timings.path(step).isIntegralNumber(), step + " missing: " + apply.stdout());
        }
        // Besides the three kernel steps the command reads and checks the module, takes the lock and records the
        // state, so the steps together fit in the whole command (with milliseconds to spare for rounding).
        long steps = timings.get("loadMs").asLong() + timings.get("transitionMs").asLong()
                + timings.get("verifyMs").asLong();
        assertTrue(steps <= timings.get("totalMs").asLong(), "the steps fit in the whole apply: " + timings);
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));

        JsonNode status = JSON.readTree(pvOk("status", "--json"));
        assertEquals("pv_cmdline", status.at("/patches/0/name").asText());
        assertTrue(status.at("/patches/0/enabled").asBoolean());
        assertFalse(status.at("/patches/0/transition").asBoolean());
        assertTrue(status.at("/patches/0/installed").asBoolean());
        assertTrue(status.at("/taint/livePatched").asBoolean());
        String buildId = status.at("/kernel/buildId").asText();
        assertTrue(buildId.matches("[0-9a-f]{40}"), buildId);
        assertTrue(vm.shOk("od -An -tx1 -v /sys/kernel/notes | tr -d ' \\n'").contains(buildId),
                "the build-id is the GNU note of /sys/kernel/notes");

        ExecResult again = pv("apply", ko("pv_cmdline"));
        assertEquals(0, again.exitCode(), again.stderr());
        assertTrue(again.stdout().contains("already applied"), again.stdout());

        ExecResult remove = pv("remove", "pv_cmdline");
        assertEquals(0, remove.exitCode(), remove.stderr());
        assertEquals("", JSON.readTree(pvOk("status", "--json")).at("/installedNotLoaded").toString().replace("[]", ""));
    }

    @Test
    void twoPatchesStackAndRemoveAllTakesBoth() throws IOException {
        assertEquals(0, pv("apply", ko("pv_cmdline")).exitCode());
        ExecResult second = pv("apply", ko("pv_version"));
        assertEquals(0, second.exitCode(), second.stderr());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));
        assertTrue(vm.shOk("cat /proc/version").contains("pv_version"), vm.shOk("cat /proc/version"));
        String status = pvOk("status");
        assertTrue(status.contains("pv_cmdline") && status.contains("pv_version"), status);

        ExecResult removeAll = pv("remove", "--all");
        assertEquals(0, removeAll.exitCode(), removeAll.stderr());
        assertEquals(List.of("pv_version removed", "pv_cmdline removed"), removeAll.stdout().lines().toList());
    }

    @Test
    void cumulativePatchSupersedesAndUnloadsTheOld() throws IOException {
        assertEquals(0, pv("apply", ko("pv_cmdline")).exitCode());
        ExecResult v2 = pv("apply", ko("pv_cmdline_v2"), "--json");
        assertEquals(0, v2.exitCode(), v2.stderr());
        assertEquals("[\"pv_cmdline\"]", JSON.readTree(v2.stdout()).get("superseded").toString());
        assertFalse(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));
        assertTrue(vm.shOk("cat /proc/cmdline").contains("pv_cmdline_v2"), vm.shOk("cat /proc/cmdline"));
        assertEquals("", vm.sh("grep '^pv_cmdline ' /proc/modules").stdout(), "superseded module unloaded");
        JsonNode status = JSON.readTree(pvOk("status", "--json"));
        assertEquals(1, status.get("patches").size());
        assertEquals("[]", status.get("installedNotLoaded").toString(), "the superseded record is gone too");
        assertEquals(0, pv("remove", "pv_cmdline_v2").exitCode());
    }

    @Test
    void stuckTransitionIsReversedWithBlockersNamed() throws IOException {
        ExecResult stuck = pv("apply", ko("pv_stuck"), "--timeout", "4s");
        assertEquals(6, stuck.exitCode(), stuck.stdout() + stuck.stderr());
        String error = lastLine(stuck.stderr());
        assertTrue(error.startsWith("patchvisor: applying pv_stuck timed out after 4 s, blocked by "), error);
        assertTrue(error.matches(".*(ksoftirqd|migration|cpuhp)/\\d+\\[\\d+].*"), error);
        assertTrue(error.endsWith("reversed and unloaded, the kernel is unchanged"), error);
        assertTrue(stuck.stderr().contains("task(s) not yet switched"), "progress while waiting: " + stuck.stderr());
        JsonNode status = JSON.readTree(pvOk("status", "--json"));
        assertEquals(0, status.get("patches").size());
        assertEquals("[]", status.get("installedNotLoaded").toString());
    }

    @Test
    void moduleForAnotherKernelIsRefusedBeforeLoading() throws IOException {
        String other = otherKernelPatches.resolve("pv_cmdline.ko").toString();
        ExecResult refused = pv("apply", other);
        assertEquals(5, refused.exitCode(), refused.stderr());
        assertEquals(1, refused.stderr().lines().count(), refused.stderr());
        assertTrue(refused.stderr().contains("was built for kernel " + otherRelease() + ", but this kernel is "
                + vm.release()), refused.stderr());
        assertEquals("", vm.shOk("dmesg | grep -i pv_cmdline | tail -n 1"), "the kernel never saw it");
    }

    @Test
    void killedApplyIsReconciledByTheNextRun() throws IOException {
        // A run killed with SIGKILL while its (never-finishing) transition runs leaves the kernel mid-transition.
        vm.shOk("(" + pvCommand("apply", ko("pv_stuck"), "--timeout", "120s") + " >/tmp/killed.out 2>&1 &"
                + " echo $! >/tmp/killed.pid)");
        vm.shOk(until("[ \"$(cat /sys/kernel/livepatch/pv_stuck/transition 2>/dev/null)\" = 1 ]")
                + "; kill -9 $(cat /tmp/killed.pid); sleep 0.5");
        assertEquals("1", vm.shOk("cat /sys/kernel/livepatch/pv_stuck/transition").strip(), "left mid-transition");

        ExecResult next = pv("apply", ko("pv_cmdline"), "--timeout", "30s");
        assertEquals(0, next.exitCode(), next.stdout() + next.stderr());
        assertTrue(next.stdout().contains("settled an interrupted apply of pv_stuck"), next.stdout());
        assertEquals("pv_cmdline", vm.shOk("ls /sys/kernel/livepatch").strip());
        assertEquals(0, pv("remove", "pv_cmdline").exitCode());
        assertTrue(vm.shOk("cat " + stateDir + "/journal.jsonl").contains("\"phase\":\"RECONCILED\""),
                "the interrupted operation is closed in the journal");
    }

    @Test
    void secondRunAtTheSameTimeIsRefusedClearly() throws IOException {
        // The first run holds the lock while it waits on a transition that cannot finish.
        vm.shOk("(" + pvCommand("apply", ko("pv_stuck"), "--timeout", "600s") + " >/tmp/first.out 2>&1 &"
                + " echo $! >/tmp/first.pid); " + until("[ -e /sys/kernel/livepatch/pv_stuck ]"));
        ExecResult second = pv("remove", "--all", "--lock-wait", "0");
        assertEquals(7, second.exitCode(), second.stdout() + second.stderr());
        assertEquals(1, second.stderr().lines().count(), second.stderr());
        assertTrue(second.stderr().matches("patchvisor: another patchvisor run holds \\S+/lock \\(pid \\d+, apply, since .*\\)\\s*"),
                second.stderr());
        assertEquals("1", vm.shOk("cat /sys/kernel/livepatch/pv_stuck/transition").strip(), "the first run untouched");

        // Kill the first run; the next one settles what it left (a stuck transition) before doing its own work.
        vm.shOk("kill -9 $(cat /tmp/first.pid); sleep 0.5");
        ExecResult cleanup = pv("remove", "--all", "--timeout", "30s");
        assertEquals(0, cleanup.exitCode(), cleanup.stdout() + cleanup.stderr());
    }

    @Test
    void loadAllPutsRecordedPatchesBackAfterAnUnload() throws IOException {
        assertEquals(0, pv("apply", ko("pv_cmdline")).exitCode());
        assertEquals(0, pv("apply", ko("pv_version")).exitCode());
        // What a reboot does to the kernel (the state directory survives): the patches are gone.
        vm.shOk("for p in pv_version pv_cmdline; do echo 0 > /sys/kernel/livepatch/$p/enabled;"
                + " while [ -e /sys/kernel/livepatch/$p ]; do sleep 0.1; done; rmmod $p; done");
        assertTrue(pvOk("status").contains("recorded as installed but not loaded"));

        ExecResult load = pv("load", "--all");
        assertEquals(0, load.exitCode(), load.stderr());
        assertEquals(List.of("pv_cmdline loaded", "pv_version loaded"), load.stdout().lines().toList());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));
        assertTrue(vm.shOk("cat /proc/version").contains("pv_version"));
        assertEquals(0, pv("remove", "--all").exitCode());
    }

    @Test
    void unameAndDetectInsideTheGuest() throws IOException {
        assertEquals(vm.release(), pvOk("uname", "-r").strip());
        JsonNode detect = JSON.readTree(pvOk("detect", "--json"));
        assertTrue(detect.get("roles").toString().contains("vm guest"), detect.toString());
        assertTrue(detect.toString().contains("\"livepatch\""), detect.toString());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static String ko(String name) {
        return patches.resolve(name + ".ko").toString();
    }

    private static String otherRelease() {
        return Components.onThisMachine().cloudRelease().orElseThrow();
    }

    /**
     * A guest shell loop that waits for {@code condition} (a JVM starting in the TCG guest can take seconds) and
     * fails the script after 100 s, inside the exec's own bound.
     */
    private static String until(String condition) {
        return "i=0; until " + condition + "; do i=$((i+1)); if [ $i -ge 1000 ]; then echo 'gave up after 100 s:"
                + " " + condition.replace("'", "") + "' >&2; exit 1; fi; sleep 0.1; done";
    }

    private String pvCommand(String... args) {
        List<String> argv = argv(args);
        return String.join(" ", argv.stream().map(a -> "'" + a + "'").toList());
    }

    private List<String> argv(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        if (!List.of(args).contains("detect")) {
            argv.add("--state-dir");
            argv.add(stateDir);
        }
        return argv;
    }

    private ExecResult pv(String... args) throws IOException {
        return vm.exec(Duration.ofSeconds(300), argv(args).toArray(String[]::new));
    }

    private String pvOk(String... args) throws IOException {
        ExecResult r = pv(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
        return r.stdout();
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
