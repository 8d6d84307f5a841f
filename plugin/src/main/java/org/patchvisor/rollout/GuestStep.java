package org.patchvisor.rollout;

import java.io.IOException;
import org.patchvisor.guest.GuestOutcome;

/**
 * Patches one guest: confirm its kernel, deliver the bundle's module and apply it, report how it ended. The
 * guest path (agent channel + per-guest agent) implements it; tests plug in fakes. It runs on a rollout worker
 * thread, must bound its own agent calls by {@link GuestJob#timeout()}, and should give up when interrupted
 * (the rollout interrupts it at the per-guest timeout). A {@link org.patchvisor.spi.GuestUnreachableException}
 * is reported as unreachable, any other exception as failed.
 */
@FunctionalInterface
public interface GuestStep {
    GuestOutcome apply(GuestJob job) throws IOException, InterruptedException;
}
