package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;

class GuestPatcherTest {
    private static final byte[] SCRIPT = "#!/bin/sh\necho fake agent\n".getBytes(StandardCharsets.US_ASCII);
    private static final String AGENT = "/run/patchvisor/pv-guest-agent.sh";
    private static final String TARGET = "/run/patchvisor/pv_cmdline.ko";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong();
    private final FakeGuest guest = new FakeGuest();
    private GuestPatcher patcher;
    private Path module;

    @BeforeEach
    void setUp() throws IOException {
        patcher = new GuestPatcher(SCRIPT, () -> clock.addAndGet(1_000_000), Duration.ofSeconds(5));
        module = Files.write(tmp.resolve("pv_cmdline.ko"), new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
        guest.files.put("/sys/kernel/notes", buildIdNote(new byte[] {(byte) 0xab, (byte) 0xcd, 0x01, 0x02}));
    }

    private static ModuleInfo info(String release, boolean livepatch) {
        return new ModuleInfo("pv_cmdline", release + " SMP preempt mod_unload modversions ", livepatch,
                Optional.of("GPL"), Optional.empty(), List.of(), false);
    }

    private static byte[] buildIdNote(byte[] id) {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 + id.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putInt(id.length).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII)).put(id);
        return b.array();
    }

    @Test
    void identifiesTheGuestKernelWithItsBuildId() throws Exception {
        KernelId id = patcher.identify(guest);
        assertEquals("6.1.0-56-amd64", id.release());
        assertEquals("x86_64", id.machine());
        assertEquals(Optional.of("abcd0102"), id.buildId());
    }

    @Test
    void identifyWithoutNotesMatchesByReleaseAlone() throws Exception {
        guest.files.remove("/sys/kernel/notes");
        assertEquals(Optional.empty(), patcher.identify(guest).buildId());
    }

    @Test
    void appliesThroughTheAgentAndVerifiesInSysfs() throws Exception {
        guest.agent = args -> {
            assertEquals(List.of(TARGET, "pv_cmdline", "20"), args);
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3}, guest.files.get(TARGET));
            assertArrayEquals(SCRIPT, guest.files.get(AGENT));
            guest.loadPatch("pv_cmdline", true, false);
            return "{\"result\":\"applied\",\"reason\":\"pv_cmdline applied\",\"ms\":1800}\n";
        };
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.APPLIED, outcome.state(), outcome.reason());
        assertTrue(outcome.reason().contains("verified"), outcome.reason());
        assertEquals("pv_cmdline", outcome.patch());
        assertEquals("6.1.0-56-amd64", outcome.kernel().orElseThrow().release());
        assertFalse(guest.files.containsKey(AGENT), "the agent is removed afterwards");
        assertFalse(guest.files.containsKey(TARGET), "the module copy is removed afterwards");
    }

    @Test
    void agentClaimingSuccessIsNotBelievedWithoutSysfs() throws Exception {
        guest.agent = args -> "{\"result\":\"applied\",\"reason\":\"pv_cmdline applied\",\"ms\":1}";
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertTrue(outcome.reason().contains("is not loaded"), outcome.reason());
    }

    @Test
    void patchStillInTransitionIsNotApplied() throws Exception {
        guest.agent = args -> {
            guest.loadPatch("pv_cmdline", true, true);
            return "{\"result\":\"applied\",\"reason\":\"pv_cmdline applied\",\"ms\":1}";
        };
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertTrue(outcome.reason().contains("in transition"), outcome.reason());
    }

    @Test
    void wrongKernelIsRefusedBeforeAnythingReachesTheGuest() throws Exception {
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-cloud-amd64", true), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state());
        assertTrue(outcome.reason().contains("built for kernel 6.1.0-56-cloud-amd64, but the guest's kernel is "
                + "6.1.0-56-amd64"),
                outcome.reason());
        assertEquals(List.of(), guest.writes);
        assertTrue(guest.execs.stream().noneMatch(a -> a.get(0).equals("/bin/sh")));
    }

    @Test
    void notALivePatchIsRefusedWithoutContact() throws Exception {
        guest.silent = true;
        assertEquals(Outcome.REFUSED, patcher.apply(guest, module, info("6.1.0-56-amd64", false), TIMEOUT).state());
    }

    @Test
    void silentGuestIsUnreachable() throws Exception {
        guest.silent = true;
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.UNREACHABLE, outcome.state());
        assertEquals(Optional.empty(), outcome.kernel());
    }

    @Test
    void alreadyLoadedPatchIsNotSentAgain() throws Exception {
        guest.loadPatch("pv_cmdline", true, false);
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.ALREADY_PATCHED, outcome.state());
        assertEquals(List.of(), guest.writes);
    }

    @Test
    void revertedTransitionIsReportedWithTheAgentsReason() throws Exception {
        guest.agent = args -> "{\"result\":\"reverted\",\"reason\":\"transition did not finish within 20s; "
                + "reversed and unloaded\",\"ms\":21000}";
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertEquals("transition did not finish within 20s; reversed and unloaded", outcome.reason());
    }

    @Test
    void aFailureThatLeftThePatchLoadedSaysSo() throws Exception {
        guest.agent = args -> {
            guest.loadPatch("pv_cmdline", false, true);
            return "{\"result\":\"failed\",\"reason\":\"transition timed out and the reverse transition did not "
                    + "finish\",\"ms\":50000}";
        };
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertTrue(outcome.reason().contains("NOT reverted: pv_cmdline is loaded, disabled, in transition"),
                outcome.reason());
    }

    @Test
    void brokenTransferLoadsNothingAndCleansUp() throws Exception {
        guest.failWritesTo = TARGET;
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertTrue(outcome.reason().contains("nothing was loaded"), outcome.reason());
        assertTrue(guest.execs.stream().noneMatch(a -> a.get(0).equals("/bin/sh")), "the agent never ran");
        assertFalse(guest.files.containsKey(TARGET), "the partial module is removed");
    }

    @Test
    void garbledAgentOutputStillEndsInAVerifiedState() throws Exception {
        guest.agent = args -> "Killed\n";
        GuestOutcome outcome = patcher.apply(guest, module, info("6.1.0-56-amd64", true), TIMEOUT);
        assertEquals(Outcome.FAILED_REVERTED, outcome.state());
        assertTrue(outcome.reason().contains("agent run was lost"), outcome.reason());
        assertTrue(outcome.reason().contains("pv_cmdline is not loaded"), outcome.reason());
    }

    @Test
    void listsPatchesWithTheirFunctions() throws Exception {
        guest.loadPatch("pv_cmdline", true, false);
        guest.loadPatch("pv_version", false, true);
        List<LivePatch> patches = patcher.patches(guest);
        assertEquals(2, patches.size());
        assertEquals(new LivePatch("pv_cmdline", true, false, Map.of("vmlinux", List.of("cmdline_proc_show,1"))),
                patches.get(0));
        assertEquals("pv_version", patches.get(1).name());
        assertTrue(patches.get(1).inTransition());
    }

    @Test
    void noLivepatchDirectoryMeansNoPatches() throws Exception {
        assertEquals(List.of(), patcher.patches(guest));
    }

    @Test
    void removeRunsTheAgentAndVerifies() throws Exception {
        guest.loadPatch("pv_cmdline", true, false);
        guest.agent = args -> {
            assertEquals(List.of("--remove", "pv_cmdline", "20"), args);
            guest.unloadPatch("pv_cmdline");
            return "{\"result\":\"removed\",\"reason\":\"pv_cmdline disabled and unloaded\",\"ms\":1200}";
        };
        patcher.remove(guest, "pv_cmdline", TIMEOUT);
        assertTrue(guest.execs.contains(List.of("/bin/sh", AGENT, "--remove", "pv_cmdline", "20")), "the agent ran");
        assertFalse(guest.files.containsKey(AGENT), "the agent is removed afterwards");
    }

    @Test
    void agentClaimingRemovalIsNotBelievedWhileSysfsStillShowsThePatch() {
        guest.loadPatch("pv_cmdline", true, false);
        guest.agent = args -> "{\"result\":\"removed\",\"reason\":\"pv_cmdline disabled and unloaded\",\"ms\":1}";
        PatchException e = assertThrows(PatchException.class, () -> patcher.remove(guest, "pv_cmdline", TIMEOUT));
        assertEquals(Outcome.KERNEL_REFUSED, e.outcome());
        assertTrue(e.getMessage().contains("reported pv_cmdline removed but"), e.getMessage());
        assertFalse(guest.files.containsKey(AGENT), "the agent is removed afterwards");
    }

    @Test
    void removingAnAbsentPatchIsNotFound() {
        guest.agent = args -> "{\"result\":\"absent\",\"reason\":\"pv_cmdline is not loaded\",\"ms\":3}";
        PatchException e = assertThrows(PatchException.class, () -> patcher.remove(guest, "pv_cmdline", TIMEOUT));
        assertEquals(Outcome.NOT_FOUND, e.outcome());
        PatchException bad = assertThrows(PatchException.class, () -> patcher.remove(guest, "../x", TIMEOUT));
        assertEquals(Outcome.NOT_FOUND, bad.outcome());
    }

    @Test
    void timeoutsAreWholeSecondsForTheAgent() {
        assertEquals("1", GuestPatcher.seconds(Duration.ofMillis(10)));
        assertEquals("3", GuestPatcher.seconds(Duration.ofMillis(2001)));
    }
}
