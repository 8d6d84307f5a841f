package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.kernel.KernelSupport;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;

/**
 * A guest's kernel is judged by the host's own preflight rules, on facts read through the channel: what its kernel
 * would refuse (lockdown or sig_enforce with an unsigned module, no live-patch support) is refused on the host and
 * never copied in or run.
 */
class GuestPreflightTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final FakeGuest guest = new FakeGuest();
    private GuestPatcher patcher;
    private Path module;

    @BeforeEach
    void setUp() throws Exception {
        patcher = new GuestPatcher("#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII), System::nanoTime,
                Duration.ofSeconds(5));
        module = Files.write(tmp.resolve("pv_cmdline.ko"), new byte[] {0x7f, 'E', 'L', 'F'});
        guest.agent = args -> {
            throw new AssertionError("the agent must not run: " + args);
        };
    }

    private static ModuleInfo unsigned() {
        return new ModuleInfo("pv_cmdline", "6.1.0-56-amd64 SMP preempt mod_unload modversions ", true,
                Optional.of("GPL"), Optional.empty(), List.of(), false);
    }

    @Test
    void theGuestsFactsAreReadThroughTheChannel() throws Exception {
        guest.files.put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n".getBytes());
        guest.files.put("/sys/module/module/parameters/sig_enforce", "N\n".getBytes());
        guest.files.put("/proc/sys/kernel/tainted", "32768\n".getBytes());
        assertEquals(new KernelSupport(true, false, Optional.of("integrity"), 32768), patcher.support(guest));
    }

    @Test
    void anUnsignedModuleIsRefusedUpFrontInALockedDownGuest() throws Exception {
        guest.files.put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n".getBytes());
        GuestOutcome outcome = patcher.apply(guest, module, unsigned(), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state(), outcome.reason());
        assertEquals("pv_cmdline.ko is unsigned and the guest's kernel is in lockdown (integrity mode), which refuses "
                + "unsigned modules", outcome.reason());
        assertEquals(List.of(), guest.writes, "nothing was copied into the guest");
    }

    @Test
    void anUnsignedModuleIsRefusedWhereTheGuestEnforcesSignatures() throws Exception {
        guest.files.put("/sys/module/module/parameters/sig_enforce", "Y\n".getBytes());
        GuestOutcome outcome = patcher.apply(guest, module, unsigned(), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state());
        assertTrue(outcome.reason().contains("enforces module signatures (sig_enforce=Y)"), outcome.reason());
        assertEquals(List.of(), guest.writes);
    }

    @Test
    void aGuestKernelWithoutLivePatchSupportIsRefused() throws Exception {
        guest.livepatch = false;
        GuestOutcome outcome = patcher.apply(guest, module, unsigned(), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state());
        assertTrue(outcome.reason().startsWith("the guest's kernel has no live-patch support"), outcome.reason());
        assertEquals(List.of(), guest.writes);
    }

    @Test
    void aFactFileTheChannelCannotReadIsNotKnownRatherThanAnUnreachableGuest() throws Exception {
        guest.unreadable.add("/sys/kernel/security/lockdown");
        guest.unreadable.add("/proc/sys/kernel/tainted");
        assertEquals(new KernelSupport(true, false, Optional.empty(), 0), patcher.support(guest));
        guest.agent = args -> {
            guest.loadPatch("pv_cmdline", true, false);
            return "{\"result\":\"applied\",\"reason\":\"pv_cmdline applied\",\"ms\":1}";
        };
        assertEquals(Outcome.APPLIED, patcher.apply(guest, module, unsigned(), TIMEOUT).state());
    }

    @Test
    void anEnforcedSignatureRuleTheFileTransferCannotReadIsReadByTheGuestsCat() throws Exception {
        guest.files.put("/sys/module/module/parameters/sig_enforce", "Y\n".getBytes());
        guest.unreadable.add("/sys/module/module/parameters/sig_enforce");
        GuestOutcome outcome = patcher.apply(guest, module, unsigned(), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state(), outcome.reason());
        assertTrue(outcome.reason().contains("enforces module signatures (sig_enforce=Y)"), outcome.reason());
        assertEquals(List.of(), guest.writes);
    }

    @Test
    void nonsenseInAGuestsFactFileIsRefusedWithoutEchoingIt() throws Exception {
        guest.files.put("/sys/kernel/security/lockdown", ("\u001b[2Jguest prod: applied " + "x".repeat(500)).getBytes());
        GuestOutcome outcome = patcher.apply(guest, module, unsigned(), TIMEOUT);
        assertEquals(Outcome.REFUSED, outcome.state());
        assertFalse(outcome.reason().contains("\u001b"), outcome.reason());
        assertTrue(outcome.reason().length() < 250, outcome.reason());
        assertEquals(List.of(), guest.writes);
    }
}
