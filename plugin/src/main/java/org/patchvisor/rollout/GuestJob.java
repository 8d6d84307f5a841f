package org.patchvisor.rollout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.model.KernelId;
import org.patchvisor.spi.Guest;

/**
 * One guest's share of a rollout, handed to the {@link GuestStep}.
 *
 * @param guest   the guest
 * @param kernel  the kernel the guest reported while planning (the step re-checks it: a guest may have rebooted)
 * @param bundle  the bundle chosen for that kernel; empty for a guest that is a target only to have a revoked
 *                patch removed ({@link Rollout}'s revocation check) while the feed has nothing for its kernel
 * @param module  the verified module file, downloaded once for every guest on that kernel; empty with the bundle
 * @param timeout what is left of the per-guest budget when the step starts
 */
public record GuestJob(Guest guest, KernelId kernel, Optional<BundleEntry> bundle, Optional<Path> module,
        Duration timeout) {
}
