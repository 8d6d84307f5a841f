package org.patchvisor.feed;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;

/**
 * The two facts {@code check} needs about the machine: which kernel runs, and which live patches are loaded.
 * The kernel engine provides them through {@link #of(KernelPort)}; tests hand in their own.
 */
public interface HostKernel {

    KernelId kernel() throws IOException;

    /** Module names of the loaded live patches. */
    List<String> installedPatches() throws IOException;

    /** The GNU build-id the kernel shows for each of {@code modules} that it shows one for. */
    default Map<String, String> moduleBuildIds(List<String> modules) throws IOException {
        return Map.of();
    }

    static HostKernel of(KernelPort port) {
        return new HostKernel() {
            @Override
            public KernelId kernel() throws IOException {
                return port.identify();
            }

            @Override
            public List<String> installedPatches() throws IOException {
                return port.patches().stream().map(LivePatch::name).toList();
            }

            @Override
            public Map<String, String> moduleBuildIds(List<String> modules) throws IOException {
                Map<String, String> ids = new HashMap<>();
                for (String module : modules) {
                    port.moduleBuildId(module).ifPresent(id -> ids.put(module, id));
                }
                return ids;
            }
        };
    }
}
