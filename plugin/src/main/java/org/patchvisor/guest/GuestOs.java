package org.patchvisor.guest;

import java.util.Objects;

/**
 * The kernel a guest says it runs: what {@code uname -r}, {@code -v} and {@code -m} print there. The QEMU guest
 * agent gives it with {@code guest-get-osinfo}; other channels run uname.
 */
public record GuestOs(String kernelRelease, String kernelVersion, String machine) {
    public GuestOs {
        Objects.requireNonNull(kernelRelease, "kernelRelease");
        Objects.requireNonNull(kernelVersion, "kernelVersion");
        Objects.requireNonNull(machine, "machine");
    }
}
