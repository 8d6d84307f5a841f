package org.patchvisor.adapter.openvz;

import java.nio.file.Files;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;

/**
 * The ServiceLoader entry for OpenVZ/Virtuozzo hardware nodes. It applies where the node's kernel shows itself
 * ({@code /proc/vz} with {@code /proc/bc}, which containers do not see) or where the node's tools are installed.
 */
public final class OpenVzProvider implements HypervisorAdapterProvider {

    @Override
    public String name() {
        return OpenVzAdapter.NAME;
    }

    @Override
    public String description() {
        return "OpenVZ/Virtuozzo containers (vzlist or prlctl, /proc/vz/veinfo); they share the host kernel";
    }

    @Override
    public boolean appliesTo(AdapterContext context) {
        boolean node = Files.isDirectory(context.root().resolve("proc/vz"))
                && Files.exists(context.root().resolve("proc/bc"));
        return node || context.processes().available(OpenVzAdapter.VZLIST)
                || context.processes().available(OpenVzAdapter.PRLCTL);
    }

    @Override
    public HypervisorAdapter open(AdapterContext context) {
        return new OpenVzAdapter(context.root(), context.processes());
    }
}
