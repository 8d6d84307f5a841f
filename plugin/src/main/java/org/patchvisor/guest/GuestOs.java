package org.patchvisor.guest;

import java.util.Objects;

/**
 * The kernel a guest says it runs: what {@code uname -r}, {@code -v} and {@code -m} print there. The QEMU guest
 * agent gives it with {@code guest-get-osinfo}; other channels run uname.
 */
public record GuestOs(String kernelRelease, String kernelVersion, String machine) {
    /** All three are the guest's own words: made printable here, before they reach a kernel id or a report. */
    public GuestOs {
        kernelRelease = GuestText.printable(Objects.requireNonNull(kernelRelease, "kernelRelease"));
        kernelVersion = GuestText.printable(Objects.requireNonNull(kernelVersion, "kernelVersion"));
        machine = GuestText.printable(Objects.requireNonNull(machine, "machine"));
    }
}
