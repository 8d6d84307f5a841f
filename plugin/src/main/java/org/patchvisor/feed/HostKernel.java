package org.patchvisor.feed;

import java.io.IOException;
import java.util.List;
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
        };
    }
}
