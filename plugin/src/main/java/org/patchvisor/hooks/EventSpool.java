package org.patchvisor.hooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The spool directory the hook writes into and the worker drains. Each event is one {@code *.event} file,
 * complete when it appears (the hook renames it into place), so reading needs no locking. An event file is
 * removed only by {@link #remove}, after its guest was handled: whatever is on disk is still to do.
 */
public final class EventSpool {
    static final String SUFFIX = ".event";
    private final Path dir;

    public EventSpool(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Every complete event in the spool, oldest first (the hook names files by nanosecond time). */
    public List<GuestEvent> events() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        }
        files.sort(null);
        List<GuestEvent> events = new ArrayList<>();
        for (Path file : files) {
            read(file).ifPresent(events::add);
        }
        return events;
    }

    /** The events grouped by guest, guests in order of their oldest event: repeated starts are one job. */
    public Map<String, List<GuestEvent>> byGuest() throws IOException {
        Map<String, List<GuestEvent>> grouped = new LinkedHashMap<>();
        for (GuestEvent event : events()) {
            grouped.computeIfAbsent(event.guest(), g -> new ArrayList<>()).add(event);
        }
        return grouped;
    }

    /** Removes handled events; one already gone (another worker, an administrator) is fine. */
    public void remove(List<GuestEvent> handled) throws IOException {
        for (GuestEvent event : handled) {
            Files.deleteIfExists(event.file());
        }
    }

    /** Parses one event file; an unreadable or nameless one is set aside as {@code *.bad} so it is not retried forever. */
    private Optional<GuestEvent> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.charset.CharacterCodingException e) {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String guest = fields.get("guest");
        if (guest == null || guest.isEmpty()) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".bad"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return Optional.empty();
        }
        return Optional.of(new GuestEvent(file, guest, fields.get("operation"), fields.get("time"), fields.get("uuid")));
    }
}
