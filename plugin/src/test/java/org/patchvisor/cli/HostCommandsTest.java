package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host commands through the real CLI over a fake /proc and /sys: output, refusals and exit codes. */
class HostCommandsTest {
    static final Path SAMPLE = Path.of("src/test/resources/elf/livepatch_sample.ko");
    static final Path NOT_LIVEPATCH = Path.of("src/test/resources/elf/xt_pkttype.ko");

    @TempDir
    Path tmp;
    FakeRoot host;
    String stateDir;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        stateDir = tmp.resolve("state").toString();
    }

    @Test
    void statusShowsKernelPatchesAndTaint() throws Exception {
        host.livePatch("pv_cmdline", true, false, "vmlinux", "cmdline_proc_show,1")
                .write("proc/sys/kernel/tainted", "32768\n");
        FakeRoot.Run run = host.run("status", "--state-dir", stateDir);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("6.1.0-56-amd64"), run.out());
        assertTrue(run.out().contains("pv_cmdline"), run.out());
        assertTrue(run.out().contains("cmdline_proc_show,1"), run.out());
        assertTrue(run.out().contains("taint:      GK (32768)"), run.out());
    }

    @Test
    void statusJsonIsParseable() throws Exception {
        host.livePatch("pv_cmdline", true, true, "vmlinux", "cmdline_proc_show,1");
        FakeRoot.Run run = host.run("status", "--json", "--state-dir", stateDir);
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("6.1.0-56-amd64", json.at("/kernel/release").asText());
        assertTrue(json.at("/kernel/buildId").asText().matches("[0-9a-f]{40}"), run.out());
        assertTrue(json.at("/patches/0/transition").asBoolean());
        assertTrue(json.at("/support/livepatch").asBoolean());
    }

    @Test
    void unameWithoutPatchesIsTheRunningKernel() {
        assertEquals("6.1.0-56-amd64\n", host.run("uname", "-r", "--state-dir", stateDir).out());
        String all = host.run("uname", "-a", "--state-dir", stateDir).out();
        assertTrue(all.startsWith("Linux node7 6.1.0-56-amd64 #1 SMP"), all);
    }

    @Test
    void moduleForAnotherKernelIsRefusedBeforeLoading() throws Exception {
        FakeRoot other = new FakeRoot(tmp.resolve("other"), "6.1.0-99-amd64");
        FakeRoot.Run run = other.run("apply", SAMPLE.toAbsolutePath().toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.REFUSED, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("built for kernel 6.1.0-56-amd64, but this kernel is 6.1.0-99-amd64"), run.err());
        assertEquals("", other.syscalls.toString());
        assertFalse(Files.exists(Path.of(stateDir).resolve("journal.jsonl")));
    }

    @Test
    void moduleThatIsNotALivePatchIsRefused() {
        FakeRoot.Run run = host.run("apply", NOT_LIVEPATCH.toAbsolutePath().toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.REFUSED, run.exit());
        assertTrue(run.err().contains("is not a live-patch module"), run.err());
        assertEquals("", host.syscalls.toString());
    }

    @Test
    void corruptModuleIsRefusedInOneLine() throws Exception {
        byte[] bytes = Files.readAllBytes(SAMPLE);
        Path broken = tmp.resolve("broken.ko");
        Files.write(broken, Arrays.copyOf(bytes, 300));
        FakeRoot.Run run = host.run("apply", broken.toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.REFUSED, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertEquals("", host.syscalls.toString());
    }

    @Test
    void unsignedModuleIsRefusedWhenSignaturesAreEnforced() throws Exception {
        host.write("sys/module/module/parameters/sig_enforce", "Y\n");
        FakeRoot.Run run = host.run("apply", SAMPLE.toAbsolutePath().toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.REFUSED, run.exit());
        assertTrue(run.err().contains("enforces module signatures"), run.err());
    }

    @Test
    void kernelWithoutLivepatchIsUnsupported() throws Exception {
        Files.delete(host.root.resolve("sys/kernel/livepatch"));
        FakeRoot.Run run = host.run("apply", SAMPLE.toAbsolutePath().toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.UNSUPPORTED, run.exit());
    }

    @Test
    void nonRootIsToldSo() throws Exception {
        host.write("proc/self/status", "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\n");
        FakeRoot.Run run = host.run("apply", SAMPLE.toAbsolutePath().toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.NOT_ROOT, run.exit());
    }

    @Test
    void missingFileIsOneLine() {
        FakeRoot.Run run = host.run("apply", tmp.resolve("nope.ko").toString(), "--state-dir", stateDir);
        assertEquals(ExitCodes.ERROR, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
    }

    @Test
    void removingAnUnknownPatchIsNotFound() {
        FakeRoot.Run run = host.run("remove", "nope", "--state-dir", stateDir);
        assertEquals(ExitCodes.NOT_FOUND, run.exit());
        assertTrue(run.err().contains("no live patch named nope"), run.err());
    }

    @Test
    void loadHonoursTheSkipSwitch() throws Exception {
        host.write("proc/cmdline", "root=/dev/vda1 patchvisor.skip quiet\n");
        FakeRoot.Run run = host.run("load", "--all", "--state-dir", stateDir);
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("patchvisor.skip"), run.out());
    }

    @Test
    void badTimeoutIsAUsageError() {
        FakeRoot.Run run = host.run("apply", SAMPLE.toString(), "--timeout", "soon");
        assertEquals(ExitCodes.USAGE, run.exit());
    }

    @Test
    void aLinkAtTheStateLockIsRefusedWithItsOwnExitCode() throws Exception {
        Path outside = tmp.resolve("victim.txt");
        Files.writeString(outside, "fifteen bytes!\n");
        Files.createDirectories(Path.of(stateDir));
        Files.createSymbolicLink(Path.of(stateDir).resolve("lock"), outside);
        FakeRoot.Run run = host.run("load", "--all", "--state-dir", stateDir);
        assertEquals(ExitCodes.FOREIGN_FILE, run.exit(), run.err());
        assertEquals("patchvisor: " + Path.of(stateDir).resolve("lock") + " is a symbolic link, not a regular file;"
                + " refusing to lock through it (remove it if it is not yours)\n", run.err());
        assertEquals("fifteen bytes!\n", Files.readString(outside));
    }
}
