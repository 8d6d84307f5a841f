package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;

/** The adapters of one run: which open, how a guest is found by name, and that every one is closed. */
class GuestTargetsTest {
    @Test
    void findsAGuestByNameAcrossAdaptersAndClosesThemAll() throws Exception {
        FakeHypervisor kvm = new FakeHypervisor("kvm", false);
        FakeHypervisor lxc = new FakeHypervisor("lxc", true);
        kvm.guest("web1");
        lxc.guest("ct1");
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(kvm, lxc), FakeHypervisor.context())) {
            assertEquals(List.of("web1", "ct1"), targets.all().stream().map(t -> t.guest().name()).toList());
            GuestTargets.Target found = targets.find("ct1");
            assertEquals("lxc", found.adapter().name());
            assertEquals("(adapters: kvm, lxc)", targets.describe());
        }
        assertEquals(1, kvm.closed.get());
        assertEquals(1, lxc.closed.get());
    }

    @Test
    void aNameNoAdapterKnowsOrTwoCarryIsNotFound() throws Exception {
        FakeHypervisor one = new FakeHypervisor("kvm", false);
        FakeHypervisor two = new FakeHypervisor("xen", false);
        one.guest("db");
        two.guest("db");
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(one, two), FakeHypervisor.context())) {
            PatchException none = assertThrows(PatchException.class, () -> targets.find("web"));
            assertEquals(Outcome.NOT_FOUND, none.outcome());
            assertEquals("no guest named 'web' (adapters: kvm, xen)", none.getMessage());
            PatchException both = assertThrows(PatchException.class, () -> targets.find("db"));
            assertEquals(Outcome.NOT_FOUND, both.outcome());
            assertTrue(both.getMessage().startsWith("the name 'db' is ambiguous: 2 guests carry it"), both.getMessage());
        }
    }

    @Test
    void withoutAdaptersItSaysWhetherNoneIsInstalledOrNoneApplies() throws Exception {
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(), FakeHypervisor.context())) {
            assertTrue(targets.none());
            assertEquals("(no hypervisor adapter is installed)", targets.describe());
        }
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(new Failing("xen", false)),
                FakeHypervisor.context())) {
            assertTrue(targets.none());
            assertEquals("(no hypervisor found here for the installed adapters: xen)", targets.describe());
        }
    }

    @Test
    void anAdapterThatFailsToOpenClosesTheOnesAlreadyOpen() {
        FakeHypervisor kvm = new FakeHypervisor("kvm", false);
        IOException e = assertThrows(IOException.class, () -> GuestTargets.open(
                FakeHypervisor.providers(kvm, new Failing("xen", true)), FakeHypervisor.context()));
        assertEquals("xen: cannot connect", e.getMessage());
        assertEquals(1, kvm.opened.get());
        assertEquals(1, kvm.closed.get(), "the open kvm adapter is not leaked");
    }

    /** A provider that does not apply here, or applies and then cannot connect. */
    private record Failing(String name, boolean applies) implements HypervisorAdapterProvider {
        @Override
        public String description() {
            return name + " that fails";
        }

        @Override
        public boolean appliesTo(AdapterContext context) {
            return applies;
        }

        @Override
        public HypervisorAdapter open(AdapterContext context) throws IOException {
            throw new IOException(name + ": cannot connect");
        }
    }
}
