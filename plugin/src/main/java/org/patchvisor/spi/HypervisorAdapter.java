package org.patchvisor.spi;

import java.io.IOException;
import java.util.List;
import org.patchvisor.guest.GuestChannel;

/**
 * One open connection to a hypervisor family on this host: which guests it runs, whether they share the host's
 * kernel (containers) or run their own (VMs), and a way into a guest that runs its own kernel.
 */
public interface HypervisorAdapter extends AutoCloseable {

    String name();

    /**
     * True for container hosts (OpenVZ/Virtuozzo, LXC): every guest runs on the host kernel, so patching the
     * host once covers them all and no guest is entered.
     */
    boolean sharesHostKernel();

    /** Every guest this adapter knows, running or not; the state says which. */
    List<Guest> guests() throws IOException;

    /**
     * A channel into a running guest with its own kernel. Throws {@link GuestUnreachableException} when the guest
     * has no way in (no agent channel, agent not answering): the rollout reports it as unreachable.
     */
    default GuestChannel channel(Guest guest) throws IOException {
        throw new GuestUnreachableException(guest.name() + ": the " + name() + " adapter cannot enter guests"
                + (sharesHostKernel() ? " (they share the host kernel: patch the host)" : ""));
    }

    @Override
    void close() throws IOException;
}
