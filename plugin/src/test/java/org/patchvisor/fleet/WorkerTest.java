package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.hooks.EventSpool;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.state.RunLock;
import org.patchvisor.time.Ticker;

/** The worker's loop: one pass or many, waiting only when nothing is due, and one worker per spool. */
class WorkerTest {
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path spool;

    private final List<String> heard = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();

    /** Records every call; the {@code sleepsBeforeStop}-th sleep interrupts, the way a stopped service does. */
    private Ticker ticker(int sleepsBeforeStop) {
        return new Ticker() {
            @Override
            public long nanoTime() {
                return 0;
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                slept.add(duration);
                if (slept.size() >= sleepsBeforeStop) {
                    throw new InterruptedException("stopped");
                }
            }
        };
    }

    private final Worker.Listener listener = new Worker.Listener() {
        @Override
        public void handled(SpoolDrainer.Handled h) {
            heard.add(h.guest() + " " + h.result().state().label());
        }

        @Override
        public void passed(List<SpoolDrainer.Handled> handled) {
            heard.add("pass of " + handled.size());
        }
    };

    private Worker worker(SpoolDrainer.GuestHandler handler, Ticker ticker) {
        SpoolDrainer drainer = new SpoolDrainer(new EventSpool(spool, warning -> { }), handler, CLOCK,
                Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofHours(24));
        return new Worker(spool, drainer, CLOCK, ticker, POLL);
    }

    private void queue(String file, String guest) throws IOException {
        Files.writeString(spool.resolve(file), "guest=" + guest + "\noperation=started\n");
    }

    @Test
    void onceIsOnePassThatReportsEachGuestAsItEndsThenThePass() throws Exception {
        queue("1.1.event", "vm1");
        queue("2.1.event", "vm2");
        List<SpoolDrainer.Handled> handled = worker(guest -> guest.equals("vm1")
                ? new SpoolDrainer.Result(Outcome.APPLIED, true, "")
                : new SpoolDrainer.Result(Outcome.UNREACHABLE, false, "agent silent"), ticker(1)).run(true, listener);

        assertEquals(List.of("vm1", "vm2"), handled.stream().map(SpoolDrainer.Handled::guest).toList());
        assertEquals(List.of("vm1 applied", "vm2 unreachable", "pass of 2"), heard);
        assertEquals(List.of(), slept, "one pass, no wait");
        assertFalse(Worker.allDone(handled), "vm2 is kept for a retry");
    }

    @Test
    void theLoopGoesOnAtOnceWhileGuestsAreDueAndWaitsThePollIntervalOtherwise() throws Exception {
        queue("1.1.event", "vm1");
        Worker worker = worker(guest -> {
            if (guest.equals("vm1")) {
                queue("2.1.event", "vm2");   // vm2 starts while vm1 is patched: due at once
            }
            return new SpoolDrainer.Result(Outcome.APPLIED, true, "");
        }, ticker(1));

        assertThrows(InterruptedException.class, () -> worker.run(false, listener));
        assertEquals(List.of("vm1 applied", "pass of 1", "vm2 applied", "pass of 1"), heard);
        assertEquals(List.of(POLL), slept, "one wait, once the spool was empty");
    }

    @Test
    void aGuestBackingOffDoesNotKeepTheLoopBusy() throws Exception {
        queue("1.1.event", "vm1");
        Worker worker = worker(guest -> new SpoolDrainer.Result(Outcome.UNREACHABLE, false, "agent silent"), ticker(3));

        assertThrows(InterruptedException.class, () -> worker.run(false, listener));
        assertEquals(List.of("vm1 unreachable", "pass of 1", "pass of 0", "pass of 0"), heard);
        assertEquals(List.of(POLL, POLL, POLL), slept);
    }

    @Test
    void aSecondWorkerOnTheSameSpoolIsRefusedAsLocked() throws Exception {
        queue("1.1.event", "vm1");
        List<String> handledBy = new ArrayList<>();
        try (RunLock first = RunLock.acquire(spool, "worker", Duration.ZERO)) {
            PatchException e = assertThrows(PatchException.class, () -> worker(guest -> {
                handledBy.add(guest);
                return new SpoolDrainer.Result(Outcome.APPLIED, true, "");
            }, ticker(1)).run(true, listener));
            assertEquals(Outcome.LOCKED, e.outcome());
            assertTrue(e.getMessage().startsWith("another worker drains " + spool), e.getMessage());
        }
        assertEquals(List.of(), handledBy, "nothing was handled without the lock");
        assertTrue(Files.exists(spool.resolve("1.1.event")));
    }

    @Test
    void theLockNamesItsHolderSinceTheInjectedClock() throws Exception {
        queue("1.1.event", "vm1");
        List<String> lockFile = new ArrayList<>();
        worker(guest -> {
            lockFile.add(Files.readString(spool.resolve("lock")));
            return new SpoolDrainer.Result(Outcome.APPLIED, true, "");
        }, ticker(1)).run(true, listener);

        assertTrue(lockFile.get(0).contains("\"since\":\"2026-01-01T00:00:00Z\""), lockFile.toString());
    }

    @Test
    void aPassIsDoneOnlyWhenItHandledGuestsAndNoneIsLeftOrGivenUp() {
        SpoolDrainer.Handled applied = new SpoolDrainer.Handled("vm1", 1, new SpoolDrainer.Result(Outcome.APPLIED, true, ""));
        SpoolDrainer.Handled gaveUp = new SpoolDrainer.Handled("vm2", 1,
                new SpoolDrainer.Result(Outcome.GAVE_UP, true, "unreachable"));
        assertTrue(Worker.allDone(List.of(applied)));
        assertFalse(Worker.allDone(List.of(applied, gaveUp)));
        assertFalse(Worker.allDone(List.of()), "an idle pass is no success");
    }
}
