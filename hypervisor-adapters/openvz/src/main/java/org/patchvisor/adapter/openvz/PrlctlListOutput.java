package org.patchvisor.adapter.openvz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.patchvisor.spi.Guest;

/**
 * Parses Virtuozzo 7's {@code prlctl list -a -j --vmtype ct}: a JSON array of objects with "uuid", "status",
 * "ip_configured" and "name". Status words are prlctl's: running, stopped, suspended, paused, mounted, and
 * transient ones (starting, stopping, ...) that count as neither running nor stopped.
 */
final class PrlctlListOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrlctlListOutput() {
    }

    static List<Guest> parse(String adapter, String stdout) throws IOException {
        JsonNode array;
        try {
            array = JSON.readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new IOException("prlctl list printed no JSON: " + e.getOriginalMessage());
        }
        if (array == null || !array.isArray()) {
            throw new IOException("prlctl list printed no JSON array");
        }
        List<Guest> guests = new ArrayList<>();
        for (JsonNode entry : array) {
            String uuid = text(entry, "uuid");
            String name = entry.hasNonNull("name") ? entry.get("name").asText() : uuid;
            guests.add(new Guest(adapter, uuid, name, state(text(entry, "status")), Map.of()));
        }
        return guests;
    }

    private static String text(JsonNode entry, String field) throws IOException {
        JsonNode value = entry.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IOException("prlctl list entry without \"" + field + "\": " + entry);
        }
        return value.asText();
    }

    private static Guest.State state(String status) {
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "running" -> Guest.State.RUNNING;
            case "suspended", "paused" -> Guest.State.PAUSED;
            case "stopped", "mounted" -> Guest.State.STOPPED;
            default -> Guest.State.OTHER;
        };
    }
}
