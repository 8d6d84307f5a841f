package org.patchvisor.detect;

import java.io.IOException;
import java.util.Optional;
import org.patchvisor.kernel.KernelFacts;
import org.patchvisor.kernel.KernelSupport;

/**
 * The examined root's live-patch facts, read by the one reader the host and guest paths use
 * ({@link KernelFacts}); a file holding something the kernel never writes is a detection error.
 */
public final class LivePatchFacts {

    static final String LIVEPATCH = KernelFacts.LIVEPATCH;

    private LivePatchFacts() {
    }

    public static KernelSupport read(HostFiles files) throws IOException {
        try {
            return KernelFacts.read(new KernelFacts.Source() {
                @Override
                public boolean isDirectory(String path) {
                    return files.isDirectory(path);
                }

                @Override
                public Optional<String> firstLine(String path) throws IOException {
                    return files.firstLine(path);
                }
            });
        } catch (KernelFacts.KernelFactsException e) {
            throw new DetectionException(e.getMessage());
        }
    }
}
