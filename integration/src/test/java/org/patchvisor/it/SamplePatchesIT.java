package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * Proves each sample live patch really works on the real kernel, with nothing but a shell inside the guest:
 * load, wait for the transition, observe the patched output, disable, unload, original back. Every test
 * leaves the guest without live patches, so the order of the tests does not matter.
 */
class SamplePatchesIT {
    private static final String ORIGINAL_CMDLINE_MARK = "console=ttyS0";
    private static final String LP = "/sys/kernel/livepatch";
    /**
     * Bash helpers (bash for its builtin SECONDS: a fork per poll costs tens of ms under TCG): wait until a
     * patch's transition is over, or its directory is gone, polling every 10 ms for at most $2 seconds.
     */
    private static final String HELPERS = """
            settle() {
                local end=$((SECONDS + $2)) t
                while [ -e %1$s/$1/transition ]; do
                    read -r t < %1$s/$1/transition
                    [ "$t" = 0 ] && return 0
                    [ $SECONDS -ge $end ] && return 1
                    sleep 0.01
                done
            }
            unload() {
                if [ -e %1$s/$1/enabled ]; then echo 0 > %1$s/$1/enabled; fi
                settle $1 30 || return 1
                rmmod $1
            }
            """.formatted(LP);

    private static KernelVm vm;
    private static String originalVersion;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void bootAndUpload() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        Path modules = HostScripts.samplePatches(release);
        vm = KernelVm.boot(release);
        bash("mkdir -p /tmp/lp");
        for (String name : List.of("pv_cmdline", "pv_version", "pv_cmdline_v2", "pv_stuck")) {
            vm.writeFile("/tmp/lp/" + name + ".ko", Files.readAllBytes(modules.resolve(name + ".ko")));
        }
        originalVersion = bash("cat /proc/version");
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @AfterEach
    void noPatchLeftBehind() throws IOException {
        bash(HELPERS + "for p in $(ls " + LP + "); do unload $p; done; "
                + "for m in pv_cmdline pv_version pv_cmdline_v2 pv_stuck; do "
                + "grep -q \"^$m \" /proc/modules && rmmod $m; done; true");
    }

    @Test
    void cmdlinePatchAppliesAndReverts() throws IOException {
        String out = bash(HELPERS + """
                t0=$(date +%s%N)
                insmod /tmp/lp/pv_cmdline.ko
                settle pv_cmdline 30 || { echo "transition did not finish"; exit 1; }
                echo "ms=$(( ($(date +%s%N) - t0) / 1000000 ))"
                cat /sys/kernel/livepatch/pv_cmdline/enabled
                cat /proc/cmdline
                taint=$(cat /proc/sys/kernel/tainted); echo "K=$(( (taint >> 15) & 1 ))"
                """);
        System.out.println("[timing] pv_cmdline insmod -> transition 0: " + value(out, "ms=") + " ms");
        assertTrue(out.contains("patchvisor: live patch pv_cmdline active"), out);
        assertTrue(out.contains("K=1"), out);
        assertFalse(out.contains(ORIGINAL_CMDLINE_MARK), out);

        bash(HELPERS + "unload pv_cmdline");
        assertTrue(bash("cat /proc/cmdline").contains(ORIGINAL_CMDLINE_MARK));
        assertFalse(bash("cat /proc/modules").contains("pv_cmdline"));
        assertEquals("", bash("ls " + LP).strip());
    }

    @Test
    void twoPatchesStackAndUnloadInReverseOrder() throws IOException {
        bash(HELPERS + "insmod /tmp/lp/pv_cmdline.ko && settle pv_cmdline 30 "
                + "&& insmod /tmp/lp/pv_version.ko && settle pv_version 30");
        assertTrue(bash("cat /proc/cmdline").contains("pv_cmdline active"));
        String version = bash("cat /proc/version");
        assertTrue(version.contains("patchvisor: live patch pv_version active"), version);
        assertTrue(version.startsWith("Linux version " + vm.release()), version);
        assertEquals(List.of("pv_cmdline", "pv_version"), lines(bash("ls " + LP)));

        bash(HELPERS + "unload pv_version && unload pv_cmdline");
        assertEquals(originalVersion, bash("cat /proc/version"));
        assertTrue(bash("cat /proc/cmdline").contains(ORIGINAL_CMDLINE_MARK));
    }

    @Test
    void cumulativePatchReplacesEveryEarlierOne() throws IOException {
        bash(HELPERS + "insmod /tmp/lp/pv_cmdline.ko && settle pv_cmdline 30 "
                + "&& insmod /tmp/lp/pv_version.ko && settle pv_version 30 "
                + "&& insmod /tmp/lp/pv_cmdline_v2.ko && settle pv_cmdline_v2 30");
        assertEquals(List.of("pv_cmdline_v2"), lines(bash("ls " + LP)));
        assertTrue(bash("cat /proc/cmdline").contains("pv_cmdline_v2 active (cumulative)"));
        assertEquals(originalVersion, bash("cat /proc/version"));
        // The replaced patches are disabled but still loaded: they unload without a transition.
        bash("rmmod pv_cmdline pv_version");

        bash(HELPERS + "unload pv_cmdline_v2");
        assertTrue(bash("cat /proc/cmdline").contains(ORIGINAL_CMDLINE_MARK));
    }

    @Test
    void stuckTransitionShowsBlockersAndReverses() throws IOException {
        String out = bash(HELPERS + """
                insmod /tmp/lp/pv_stuck.ko
                if settle pv_stuck 10; then echo "finished"; fi
                echo "transition=$(cat /sys/kernel/livepatch/pv_stuck/transition)"
                for f in $(grep -lx 0 /proc/[0-9]*/patch_state); do
                    d=${f%/patch_state}; echo "blocker=$(cat $d/comm)"
                done
                """);
        assertFalse(out.contains("finished"), out);
        assertTrue(out.contains("transition=1"), out);
        assertTrue(out.contains("blocker=ksoftirqd/0"), out);
        assertTrue(out.contains("blocker=migration/0") || out.contains("blocker=cpuhp/0"), out);

        String reversed = bash(HELPERS + """
                echo 0 > /sys/kernel/livepatch/pv_stuck/enabled
                settle pv_stuck 30 || { echo "reversal did not finish"; exit 1; }
                rmmod pv_stuck && echo unloaded
                """);
        assertTrue(reversed.contains("unloaded"), reversed);
        assertEquals("", bash("ls " + LP).strip());
    }

    /** Runs a bash script in the guest, failing unless it exits 0; returns its stdout. */
    private static String bash(String script) throws IOException {
        ExecResult result = vm.exec("/bin/bash", "-c", script);
        if (!result.ok()) {
            throw new IOException("guest script failed with " + result.exitCode() + ":\n" + script
                    + "\nstdout: " + result.stdout() + "\nstderr: " + result.stderr());
        }
        return result.stdout();
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String value(String out, String prefix) {
        return lines(out).stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElse("?");
    }
}
