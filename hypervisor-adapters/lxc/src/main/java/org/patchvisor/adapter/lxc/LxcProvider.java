package org.patchvisor.adapter.lxc;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;

/**
 * The ServiceLoader entry for containers that run on this kernel outside OpenVZ: LXC, libvirt-lxc and plain
 * namespace containers. It applies when one is defined or running.
 */
public final class LxcProvider implements HypervisorAdapterProvider {

    @Override
    public String name() {
        return LxcAdapter.NAME;
    }

    @Override
    public String description() {
        return "LXC, libvirt-lxc and namespace containers (PID namespaces under /proc, /var/lib/lxc, "
                + "/etc/libvirt/lxc); they share the host kernel";
    }

    @Override
    public boolean appliesTo(AdapterContext context) {
        try (LxcAdapter adapter = new LxcAdapter(context.root())) {
            return !adapter.guests().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HypervisorAdapter open(AdapterContext context) {
        return new LxcAdapter(context.root());
    }
}
