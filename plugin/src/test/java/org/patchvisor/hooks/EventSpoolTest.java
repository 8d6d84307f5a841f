package org.patchvisor.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.model.Outcome;

/** Whatever sits in the spool under an event's name, the worker sets it aside once and goes on with the others. */
class EventSpoolTest {
    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void aDirectoryNamedLikeAnEventIsMovedAsideAndTheOtherGuestsAreHandled() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.createDirectories(spool.resolve("2500.1.event").resolve("inside"));
        event(spool, "2600.1.event", "vm1");
        List<String> handled = new ArrayList<>();
        SpoolDrainer drainer = new SpoolDrainer(spool(spool), guest -> {
            handled.add(guest);
            return new SpoolDrainer.Result(Outcome.APPLIED, true, "");
        }, Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1));

        drainer.pass();

        assertEquals(List.of("vm1"), handled);
        assertTrue(Files.isDirectory(spool.resolve("2500.1.event.bad").resolve("inside")), "moved as it is");
        assertEquals(List.of(spool.resolve("2500.1.event") + " is a directory, not a regular file; moved aside as "
                + "2500.1.event.bad"), warnings);
        drainer.pass();
        assertEquals(List.of("vm1"), handled, "nothing left to do");
        assertEquals(1, warnings.size(), "a .bad entry is not picked up again");
    }

    @Test
    void linksFifosAndHugeFilesAreMovedAsideWithoutBeingOpened() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.createSymbolicLink(spool.resolve("1.1.event"), Path.of("/dev/zero"));
        Files.createSymbolicLink(spool.resolve("2.1.event"), tmp.resolve("nowhere"));
        Path elsewhere = event(tmp, "elsewhere.event", "vm-from-a-link");
        Files.createSymbolicLink(spool.resolve("3.1.event"), elsewhere);
        Process mkfifo = new ProcessBuilder("mkfifo", spool.resolve("4.1.event").toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        Files.write(spool.resolve("5.1.event"), new byte[(int) EventSpool.MAX_EVENT_BYTES + 1]);
        event(spool, "6.1.event", "vm1");

        List<GuestEvent> events = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> spool(spool).events(),
                "a FIFO or /dev/zero must not be read");

        assertEquals(List.of("vm1"), events.stream().map(GuestEvent::guest).toList());
        for (String name : List.of("1.1.event", "2.1.event", "3.1.event")) {
            assertTrue(Files.isSymbolicLink(spool.resolve(name + ".bad")), "the link itself is renamed: " + name);
        }
        assertTrue(Files.exists(elsewhere, LinkOption.NOFOLLOW_LINKS), "a link's target is never touched");
        assertTrue(Files.exists(spool.resolve("4.1.event.bad"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(spool.resolve("5.1.event.bad")));
        assertEquals(5, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).equals(spool.resolve("1.1.event") + " is a symbolic link, not a regular file; "
                + "moved aside as 1.1.event.bad"), warnings.get(0));
        assertTrue(warnings.get(3).startsWith(spool.resolve("4.1.event") + " is a device, FIFO or socket"), warnings.get(3));
        assertTrue(warnings.get(4).startsWith(spool.resolve("5.1.event") + " has 524289 bytes, more than"), warnings.get(4));
        assertEquals(List.of("vm1"), spool(spool).events().stream().map(GuestEvent::guest).toList());
        assertEquals(5, warnings.size(), "set aside once");
    }

    @Test
    void aMalformedEventIsMovedAsideWithItsReason() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.writeString(spool.resolve("1.1.event"), "operation=started\n");
        Files.write(spool.resolve("2.1.event"), "guest=caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(List.of(), spool(spool).events());

        assertTrue(Files.exists(spool.resolve("1.1.event.bad")));
        assertTrue(Files.exists(spool.resolve("2.1.event.bad")));
        assertEquals(List.of(spool.resolve("1.1.event") + " is not a well-formed event: no guest name; moved aside as "
                        + "1.1.event.bad", spool.resolve("2.1.event") + " is not a well-formed event: not UTF-8 text; "
                        + "moved aside as 2.1.event.bad"), warnings);
    }

    @Test
    void anEntryThatCannotBeMovedAsideIsWarnedAboutOnceAndSkipped() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.createDirectories(spool.resolve("1.1.event"));
        Files.writeString(spool.resolve("1.1.event.bad"), "an earlier one, kept");
        event(spool, "2.1.event", "vm1");
        EventSpool events = spool(spool);

        assertEquals(List.of("vm1"), events.events().stream().map(GuestEvent::guest).toList());
        assertEquals(List.of("vm1"), events.events().stream().map(GuestEvent::guest).toList());

        assertEquals("an earlier one, kept", Files.readString(spool.resolve("1.1.event.bad")), "never overwritten");
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(spool.resolve("1.1.event") + " is a directory, not a regular file; it could not be moved aside "
                + "(1.1.event.bad already exists) and is skipped", warnings.get(0));
    }

    @Test
    void aWarningShowsAHostileFileNameEscaped() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.createDirectories(spool.resolve("x\u001b[2J\nguest prod: applied.event"));

        spool(spool).events();

        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("x\\x1b[2J\\x0aguest prod: applied.event is a directory"), warnings.get(0));
    }

    private EventSpool spool(Path dir) {
        return new EventSpool(dir, warnings::add);
    }

    private static Path event(Path dir, String name, String guest) throws Exception {
        return Files.writeString(dir.resolve(name), "guest=" + guest + "\noperation=started\ntime=2025-01-01T00:00:00Z\n"
                + "uuid=\n");
    }
}
