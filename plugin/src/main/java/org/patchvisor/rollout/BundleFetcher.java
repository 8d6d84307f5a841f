package org.patchvisor.rollout;

import java.io.IOException;
import java.nio.file.Path;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.model.KernelId;

/**
 * Downloads and verifies a bundle's module file for a kernel. The rollout calls it at most once per kernel
 * group, however many guests run that kernel.
 */
@FunctionalInterface
public interface BundleFetcher {
    Path fetch(BundleEntry bundle, KernelId kernel) throws IOException;
}
