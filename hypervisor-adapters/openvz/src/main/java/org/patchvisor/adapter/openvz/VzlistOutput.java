package org.patchvisor.adapter.openvz;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.patchvisor.spi.Guest;

/**
 * Parses {@code vzlist -a -H -o ctid,status,hostname} (vzlist(8)): one container per line, whitespace-separated,
 * the CT ID right-aligned, then the status word, then the hostname, which is last so never trimmed and "-" when
 * unset. The status is one of running, stopped, mounted (private area mounted, not running) and suspended.
 */
final class VzlistOutput {
    private VzlistOutput() {
    }

    static List<Guest> parse(String adapter, String stdout) throws IOException {
        List<Guest> guests = new ArrayList<>();
        int number = 0;
        for (String line : stdout.split("\n")) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] fields = trimmed.split("\\s+", 3);
            if (fields.length < 2) {
                throw new IOException("vzlist line " + number + " has no status: \"" + trimmed + "\"");
            }
            String hostname = fields.length == 3 && !fields[2].equals("-") ? fields[2] : fields[0];
            guests.add(new Guest(adapter, fields[0], hostname, state(fields[1], number), Map.of()));
        }
        return guests;
    }

    private static Guest.State state(String status, int line) throws IOException {
        return switch (status) {
            case "running" -> Guest.State.RUNNING;
            case "suspended" -> Guest.State.PAUSED;
            case "stopped", "mounted" -> Guest.State.STOPPED;
            default -> throw new IOException("vzlist line " + line + " has an unknown status \"" + status + "\"");
        };
    }
}
