package org.patchvisor.adapter.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;

/** The ServiceLoader entry for KVM/QEMU guests through libvirt ({@code -c URI}, default {@code qemu:///system}). */
public final class LibvirtAdapterProvider implements HypervisorAdapterProvider {
    static final String DEFAULT_URI = "qemu:///system";

    private final LibvirtConnector connector;

    public LibvirtAdapterProvider() {
        this(LibvirtConnector.readWrite());
    }

    LibvirtAdapterProvider(LibvirtConnector connector) {
        this.connector = connector;
    }

    @Override
    public String name() {
        return LibvirtAdapter.NAME;
    }

    @Override
    public String description() {
        return "KVM/QEMU guests through libvirt, entered through the QEMU guest agent";
    }

    /** URIs given explicitly always apply; otherwise a local libvirtd socket must exist. */
    @Override
    public boolean appliesTo(AdapterContext context) {
        return !context.connectionUris().isEmpty()
                || Files.exists(context.root().resolve("run/libvirt/libvirt-sock"))
                || Files.exists(context.root().resolve("var/run/libvirt/libvirt-sock"));
    }

    @Override
    public HypervisorAdapter open(AdapterContext context) throws IOException {
        List<String> uris = context.connectionUris().isEmpty() ? List.of(DEFAULT_URI) : context.connectionUris();
        return LibvirtAdapter.open(uris, connector, context.ticker());
    }
}
