package org.patchvisor.rollout;

import java.io.IOException;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.model.KernelId;

/** The feed as the planner sees it: the one bundle to roll out to guests running a kernel, if any. */
@FunctionalInterface
public interface BundleSource {
    Optional<BundleEntry> bundleFor(KernelId kernel) throws IOException;
}
