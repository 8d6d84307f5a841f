package org.patchvisor.adapter.xen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;

/**
 * The ServiceLoader entry for Xen: applies in a Xen control domain ({@code /proc/xen/capabilities} says
 * "control_d") or when a {@code xen://} URI is given, and lists guests through libvirt's Xen driver.
 */
public final class XenProvider implements HypervisorAdapterProvider {
    static final String DEFAULT_URI = "xen:///system";

    @Override
    public String name() {
        return XenAdapter.NAME;
    }

    @Override
    public String description() {
        return "Xen guests through libvirt (" + DEFAULT_URI + "), entered through their guest-agent channel socket "
                + "or over SSH";
    }

    @Override
    public boolean appliesTo(AdapterContext context) {
        if (!xenUris(context.connectionUris()).isEmpty()) {
            return true;
        }
        Path capabilities = context.root().resolve("proc/xen/capabilities");
        try {
            return Files.isReadable(capabilities) && Files.readString(capabilities).contains("control_d");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public HypervisorAdapter open(AdapterContext context) throws IOException {
        String uri = uri(context.connectionUris());
        try {
            return new XenAdapter(new Connect(uri, true), SshKeys.from(context.env()), context.ticker());
        } catch (LibvirtException e) {
            throw new IOException("cannot connect to " + uri + ": " + e.getMessage(), e);
        }
    }

    /** The first xen:// URI given, else the local Xen daemon's. */
    static String uri(List<String> given) {
        List<String> xen = xenUris(given);
        return xen.isEmpty() ? DEFAULT_URI : xen.get(0);
    }

    private static List<String> xenUris(List<String> given) {
        return given.stream().filter(u -> u.startsWith("xen:") || u.startsWith("xen+")).toList();
    }
}
