package org.patchvisor.rollout;

import java.io.IOException;
import org.patchvisor.model.KernelId;
import org.patchvisor.spi.Guest;

/**
 * Asks a running guest which kernel it runs (through its agent). Planning groups guests by the answer; a
 * {@link org.patchvisor.spi.GuestUnreachableException} or any other I/O failure makes the guest unreachable.
 */
@FunctionalInterface
public interface KernelProbe {
    KernelId kernelOf(Guest guest) throws IOException, InterruptedException;
}
