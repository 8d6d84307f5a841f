package org.patchvisor.hooks;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One guest lifecycle event the libvirt hook spooled: which guest, what happened, when (as the hook wrote it),
 * the domain's uuid when the hook found it, and the spool file that holds it (removed once the guest is done).
 */
public record GuestEvent(Path file, String guest, String operation, String time, String uuid) {
    public GuestEvent {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(guest, "guest");
        operation = operation == null ? "" : operation;
        time = time == null ? "" : time;
        uuid = uuid == null ? "" : uuid;
    }
}
