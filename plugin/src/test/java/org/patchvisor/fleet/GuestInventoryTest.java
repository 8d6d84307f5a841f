package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.spi.Guest;

/** What each guest shows in {@code guests}: asked through its own channel, unless it cannot or need not be. */
class GuestInventoryTest {
    @Test
    void eachGuestIsAskedThroughItsOwnChannelUnlessItCannotOrNeedNotBe() throws Exception {
        FakeHypervisor kvm = new FakeHypervisor("kvm", false);
        FakeGuest patched = kvm.patchable("web1");
        patched.loadPatch("pv_cmdline", true, false);
        kvm.guest("silent");
        kvm.with(new Guest("kvm", "id-off", "off", Guest.State.STOPPED, Map.of()));
        FakeHypervisor lxc = new FakeHypervisor("lxc", true);
        lxc.guest("ct1");

        List<GuestInventory.Row> rows;
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(kvm, lxc), FakeHypervisor.context())) {
            rows = GuestInventory.collect(targets.all(), GuestPatcher.standard());
        }

        assertEquals(List.of("web1", "silent", "off", "ct1"), rows.stream().map(r -> r.guest().name()).toList(),
                "in adapter order, whatever finished first");
        GuestInventory.Row web1 = rows.get(0);
        assertEquals("yes", web1.agent());
        assertEquals("6.1.0-56-amd64", web1.kernel().release());
        assertEquals(List.of("pv_cmdline"), web1.patches().stream().map(p -> p.name()).toList());
        GuestInventory.Row silent = rows.get(1);
        assertEquals("no", silent.agent());
        assertNull(silent.kernel());
        assertEquals("silent has no QEMU guest agent channel", silent.note());
        assertEquals("-", rows.get(2).agent());
        assertEquals("", rows.get(2).note());
        assertEquals("shares the host kernel", rows.get(3).note());
        assertEquals(1, kvm.channelsOpened.get(), "only the running guest with an agent was entered");
    }

    @Test
    void noTargetsNoRows() throws Exception {
        assertTrue(GuestInventory.collect(List.of(), GuestPatcher.standard()).isEmpty());
    }

    @Test
    void aNoteQuotingTheGuestIsMadePrintable() {
        GuestInventory.Row row = new GuestInventory.Row(new Guest("kvm", "1", "g", Guest.State.RUNNING, Map.of()),
                "no", null, List.of(), "agent said \u001b[2J");
        assertEquals("agent said \\x1b[2J", row.note());
    }
}
