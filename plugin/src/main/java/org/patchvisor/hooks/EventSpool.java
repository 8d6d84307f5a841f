package org.patchvisor.hooks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.guest.GuestText;

/**
 * The spool directory the hook writes into and the worker drains. Each event is one {@code *.event} file,
 * complete when it appears (the hook renames it into place), so reading needs no locking. An event file is
 * removed only by {@link #remove}, after its guest was handled: whatever is on disk is still to do.
 *
 * <p>Anything else named like an event (a directory, a link, a FIFO, a huge or malformed file) must not stop the
 * worker, or under {@code Restart=on-failure} it would restart forever without handling any guest. Such an entry
 * is renamed to {@code *.bad}, which the listing does not pick up again, with one warning, and the others go on.
 */
public final class EventSpool {
    static final String SUFFIX = ".event";
    static final String SET_ASIDE = ".bad";
    /**
     * An event is four short lines. The longest guest name an argument can carry (128 KiB on Linux) hex-encoded
     * still fits; anything larger was not written by the hook.
     */
    static final long MAX_EVENT_BYTES = 512 * 1024;

    private final Path dir;
    private final Consumer<String> warnings;
    /** Entries that could not be renamed: warned about once, then skipped quietly. */
    private final Set<Path> stuck = new HashSet<>();

    /**
     * @param warnings gets one line per entry set aside (already printable: names in the spool are anyone's)
     */
    public EventSpool(Path dir, Consumer<String> warnings) {
        this.dir = dir;
        this.warnings = warnings;
    }

    /** A spool whose warnings nobody reads: for tests that only look at the events. */
    EventSpool(Path dir) {
        this(dir, warning -> { });
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
        stuck.retainAll(files);
        List<GuestEvent> events = new ArrayList<>();
        for (Path file : files) {
            if (!stuck.contains(file)) {
                read(file).ifPresent(events::add);
            }
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

    /** Reads one event; anything that is not a small regular file holding a well-formed event is set aside. */
    private Optional<GuestEvent> read(Path file) {
        try {
            byte[] content = RegularFiles.read(file, MAX_EVENT_BYTES, RegularFiles.Links.REFUSE);
            return Optional.of(EventFormat.parse(file, content));
        } catch (NoSuchFileException e) {
            return Optional.empty();        // handled and removed meanwhile
        } catch (EventFormat.MalformedEventException e) {
            setAside(file, file + " is not a well-formed event: " + e.getMessage());
        } catch (IOException e) {
            // UnsafeFileException says "<path> is a directory, not a regular file" and the like.
            setAside(file, e.getMessage() == null ? file + " cannot be read" : e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Renames the entry itself to {@code <name>.bad}: {@link Files#move} renames a link, never its target, moves a
     * directory as it is and, without REPLACE_EXISTING, never overwrites an earlier {@code .bad}.
     */
    private void setAside(Path file, String problem) {
        Path target = file.resolveSibling(file.getFileName() + SET_ASIDE);
        try {
            Files.move(file, target);
            warn(problem + "; moved aside as " + target.getFileName());
        } catch (NoSuchFileException gone) {
            // removed meanwhile: nothing left to set aside
        } catch (IOException e) {
            stuck.add(file);
            String why = e instanceof FileAlreadyExistsException ? target.getFileName() + " already exists"
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            warn(problem + "; it could not be moved aside (" + why + ") and is skipped");
        }
    }

    private void warn(String line) {
        warnings.accept(GuestText.printable(line));
    }
}
