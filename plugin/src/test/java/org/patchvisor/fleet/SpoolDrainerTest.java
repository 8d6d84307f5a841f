package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.hooks.EventSpool;
import org.patchvisor.model.Outcome;

/** Retrying a guest whose agent stays silent: a growing back-off, and giving up on events that are too old. */
class SpoolDrainerTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path spool;

    /** A clock the test moves. */
    private static final class Moving extends Clock {
        Instant now = START;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void theBackoffDoublesUpToItsCap() {
        SpoolDrainer drainer = new SpoolDrainer(quiet(spool), g -> null, Clock.systemUTC(),
                Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofHours(24));
        assertEquals(List.of(2L, 4L, 8L, 16L, 30L, 30L), List.of(1, 2, 3, 4, 5, 9).stream()
                .map(n -> drainer.backoff(n).toMinutes()).toList());
    }

    @Test
    void aSilentGuestIsTriedLessAndLessOftenAndDroppedWhenItsEventsAreTooOld() throws Exception {
        Path event = Files.writeString(spool.resolve("1.1.event"), "guest=noagent\noperation=started\n");
        Files.setLastModifiedTime(event, FileTime.from(START));
        Moving clock = new Moving();
        List<Instant> tries = new ArrayList<>();
        SpoolDrainer drainer = new SpoolDrainer(quiet(spool), g -> {
            tries.add(clock.now);
            return new SpoolDrainer.Result(Outcome.UNREACHABLE, false, "no guest agent channel");
        }, clock, Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(1));

        SpoolDrainer.Handled last = null;
        for (int minute = 0; minute <= 70; minute++) {
            clock.now = START.plus(Duration.ofMinutes(minute));
            for (SpoolDrainer.Handled h : drainer.pass()) {
                last = h;
            }
        }
        // Tried at 0, then 2, 4 (after 2+4), 8 later, then every 10 minutes; the try at or past 60 gives up.
        assertEquals(List.of(0L, 2L, 6L, 14L, 24L, 34L, 44L, 54L, 64L), tries.stream()
                .map(t -> Duration.between(START, t).toMinutes()).toList());
        assertEquals(Outcome.GAVE_UP, last.result().state());
        assertTrue(last.result().isFinal());
        assertTrue(last.result().reason().startsWith("unreachable: no guest agent channel; queued since "
                + START + ", given up after PT1H"), last.result().reason());
        assertEquals(List.of(), quiet(spool).events(), "its events are gone");
    }

    @Test
    void aNewStartEndsTheBackoffAndFailuresAreNeverGivenUp() throws Exception {
        Files.setLastModifiedTime(Files.writeString(spool.resolve("1.1.event"), "guest=vm\noperation=started\n"),
                FileTime.from(START));
        Moving clock = new Moving();
        List<Instant> tries = new ArrayList<>();
        SpoolDrainer drainer = new SpoolDrainer(quiet(spool), g -> {
            tries.add(clock.now);
            return tries.size() < 3 ? new SpoolDrainer.Result(Outcome.UNREACHABLE, false, "")
                    : new SpoolDrainer.Result(Outcome.FAILED, false, "the transition timed out");
        }, clock, Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofMinutes(15));
        clock.now = START;
        drainer.pass();                                      // tried; back-off 10 minutes
        clock.now = START.plus(Duration.ofMinutes(3));
        drainer.pass();                                      // still backing off
        Files.setLastModifiedTime(Files.writeString(spool.resolve("2.1.event"), "guest=vm\noperation=started\n"),
                FileTime.from(START.plus(Duration.ofMinutes(4))));
        clock.now = START.plus(Duration.ofMinutes(5));
        drainer.pass();                                      // the guest started again: tried at once
        assertEquals(List.of(0L, 5L), tries.stream().map(t -> Duration.between(START, t).toMinutes()).toList());
        for (int minute = 6; minute < 300; minute++) {
            clock.now = START.plus(Duration.ofMinutes(minute));
            for (SpoolDrainer.Handled h : drainer.pass()) {
                assertEquals(Outcome.FAILED, h.result().state(), "a failing guest is kept, never given up");
            }
        }
        assertEquals(2, quiet(spool).events().size());
    }

    @Test
    void anErrorWithoutAMessageIsNamedNotNull() throws Exception {
        Files.writeString(spool.resolve("1.1.event"), "guest=vm\noperation=started\n");
        SpoolDrainer drainer = new SpoolDrainer(quiet(spool), g -> {
            throw new IllegalStateException();
        }, Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1));
        SpoolDrainer.Result result = drainer.pass().get(0).result();
        assertEquals(Outcome.ERROR, result.state());
        assertEquals("IllegalStateException", result.reason());
    }

    @Test
    void eachGuestIsReportedAsItEndsAndBeforeItsEventsLeaveTheSpool() throws Exception {
        Files.writeString(spool.resolve("1.1.event"), "guest=a\noperation=started\n");
        Files.writeString(spool.resolve("2.1.event"), "guest=b\noperation=started\n");
        List<String> seen = new ArrayList<>();
        SpoolDrainer drainer = new SpoolDrainer(quiet(spool), g -> {
            seen.add("handle " + g);
            return new SpoolDrainer.Result(Outcome.APPLIED, true, "");
        }, Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1));
        drainer.pass(h -> {
            try {
                seen.add("report " + h.guest() + " with " + quiet(spool).byGuest().keySet().stream()
                        .sorted().toList() + " queued");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of("handle a", "report a with [a, b] queued", "handle b", "report b with [b] queued"), seen);
        assertEquals(List.of(), quiet(spool).events());
    }

    /** The spool as the worker opens it, its warnings unread: these tests look at the events. */
    private static EventSpool quiet(Path dir) {
        return new EventSpool(dir, warning -> { });
    }
}
