package org.patchvisor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static final Clock T0 = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
    private static final Clock T1 = Clock.fixed(Instant.parse("2024-05-01T12:00:05Z"), ZoneOffset.UTC);

    @TempDir
    Path stateDir;

    private Journal journal(Clock clock, long pid) {
        return new Journal(stateDir, clock, pid, Journal.DEFAULT_KEEP_FINISHED);
    }

    @Test
    void anOperationIsPendingUntilItsLastPhaseIsTerminal() throws IOException {
        Journal journal = journal(T0, 4242);
        long apply = journal.begin(Operation.APPLY, "livepatch_a", StateStoreTest.HOST);
        long remove = journal.begin(Operation.REMOVE, "livepatch_b", StateStoreTest.CLOUD);
        assertEquals(apply + 1, remove);

        journal(T1, 4242).phase(apply, Phase.LOADING);
        journal(T1, 4242).phase(apply, Phase.LOADED);
        journal.phase(remove, Phase.DISABLING);
        journal.phase(remove, Phase.COMMITTED);

        List<JournalEntry> pending = new Journal(stateDir).pending();
        assertEquals(List.of(new JournalEntry(apply, Operation.APPLY, "livepatch_a", StateStoreTest.HOST, Phase.LOADED,
                4242, T0.instant(), T1.instant())), pending);
        assertEquals(2, new Journal(stateDir).entries().size());
        assertEquals(Phase.COMMITTED, new Journal(stateDir).entries().get(1).phase());
    }

    @Test
    void everyTerminalPhaseEndsAnOperation() throws IOException {
        Journal journal = journal(T0, 1);
        for (Phase phase : Phase.values()) {
            if (phase == Phase.STARTED) {
                continue;
            }
            long id = journal.begin(Operation.APPLY, "livepatch_" + phase.name().toLowerCase(), StateStoreTest.HOST);
            journal.phase(id, phase);
        }
        List<String> pending = journal.pending().stream().map(JournalEntry::patchName).toList();
        assertEquals(List.of("livepatch_loading", "livepatch_loaded", "livepatch_transition", "livepatch_disabling",
                "livepatch_unloading"), pending);
    }

    @Test
    void rejectsUnknownIdsAndPhasesAfterTheEnd() throws IOException {
        Journal journal = journal(T0, 1);
        long id = journal.begin(Operation.APPLY, "livepatch_a", StateStoreTest.HOST);
        journal.phase(id, Phase.FAILED);

        assertThrows(IllegalArgumentException.class, () -> journal.phase(id + 1, Phase.LOADING));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> journal.phase(id, Phase.COMMITTED));
        assertTrue(e.getMessage().contains("already ended FAILED"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> journal.phase(id, Phase.STARTED));
        assertThrows(IllegalArgumentException.class, () -> journal.begin(Operation.APPLY, " ", StateStoreTest.HOST));
    }

    @Test
    void aTornLastLineIsIgnoredAndDroppedByTheNextAppend() throws IOException {
        Journal journal = journal(T0, 7);
        long id = journal.begin(Operation.APPLY, "livepatch_a", StateStoreTest.HOST);
        journal.phase(id, Phase.LOADED);
        String complete = Files.readString(journal.file());
        // killed while appending "COMMITTED": the step was never confirmed
        String torn = "{\"id\":" + id + ",\"phase\":\"COMMI";
        Files.writeString(journal.file(), torn, StandardOpenOption.APPEND);

        assertEquals(Phase.LOADED, journal.pending().get(0).phase());

        long next = journal.begin(Operation.REMOVE, "livepatch_b", StateStoreTest.HOST);
        assertEquals(id + 1, next);
        String after = Files.readString(journal.file());
        assertTrue(after.startsWith(complete) && !after.contains(torn), after);
        assertEquals(2, journal.pending().size());
    }

    @Test
    void aTornFirstLineLeavesAnEmptyJournal() throws IOException {
        Files.writeString(stateDir.resolve(Journal.FILE_NAME), "{\"id\":1,\"op\":\"APP");
        Journal journal = journal(T0, 7);
        assertEquals(List.of(), journal.pending());
        assertEquals(1, journal.begin(Operation.APPLY, "livepatch_a", StateStoreTest.HOST));
        assertEquals(1, journal.entries().size());
    }

    @Test
    void damageBeforeTheLastLineIsReported() throws IOException {
        Journal journal = journal(T0, 7);
        long id = journal.begin(Operation.APPLY, "livepatch_a", StateStoreTest.HOST);
        Files.writeString(journal.file(), "garbage\n{\"id\":" + id + ",\"phase\":\"LOADING\",\"pid\":7,"
                + "\"at\":\"2024-05-01T12:00:01Z\"}\n", StandardOpenOption.APPEND);

        StateCorruptException e = assertThrows(StateCorruptException.class, journal::pending);
        assertTrue(e.getMessage().contains(journal.file() + " is corrupt (line 2: "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        assertThrows(StateCorruptException.class, () -> journal.phase(id, Phase.LOADED), "nothing is appended to it");
        assertThrows(StateCorruptException.class, journal::compact);
    }

    @Test
    void aBeginLineWithoutItsSubjectIsReported() throws IOException {
        Files.writeString(stateDir.resolve(Journal.FILE_NAME),
                "{\"id\":1,\"phase\":\"STARTED\",\"pid\":1,\"at\":\"2024-05-01T12:00:00Z\"}\n", StandardCharsets.UTF_8);
        assertThrows(StateCorruptException.class, () -> journal(T0, 1).pending());
    }

    @Test
    void compactionKeepsPendingAndRecentFinishedOperations() throws IOException {
        Journal journal = new Journal(stateDir, T0, 9, 3);
        long stuck = journal.begin(Operation.APPLY, "livepatch_stuck", StateStoreTest.HOST);
        journal.phase(stuck, Phase.TRANSITION);
        for (int i = 0; i < 10; i++) {
            long id = journal.begin(Operation.APPLY, "livepatch_" + i, StateStoreTest.HOST);
            journal.phase(id, Phase.LOADED);
            journal.phase(id, Phase.COMMITTED);
        }
        long open = journal.begin(Operation.REMOVE, "livepatch_open", StateStoreTest.CLOUD);
        Files.writeString(journal.file(), "{\"id\":99,\"ph", StandardOpenOption.APPEND);

        journal.compact();

        List<String> kept = journal.entries().stream().map(JournalEntry::patchName).toList();
        assertEquals(List.of("livepatch_stuck", "livepatch_7", "livepatch_8", "livepatch_9", "livepatch_open"), kept);
        assertEquals(List.of(stuck, open), journal.pending().stream().map(JournalEntry::id).toList());
        assertEquals(Phase.TRANSITION, journal.pending().get(0).phase());
        assertEquals(2 + 3 * 3 + 1, Files.readAllLines(journal.file()).size());
        assertEquals(open + 1, journal.begin(Operation.APPLY, "livepatch_next", StateStoreTest.HOST));
    }

    @Test
    void concurrentAppendsGetDistinctIdsAndWholeLines() throws Exception {
        Journal journal = journal(T0, 5);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Long>>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        long id = journal.begin(Operation.APPLY, "livepatch_" + worker + "_" + i, StateStoreTest.HOST);
                        journal.phase(id, Phase.COMMITTED);
                        ids.add(id);
                    }
                    return ids;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> worker : workers) {
                all.addAll(worker.get(60, TimeUnit.SECONDS));
            }
            assertEquals(80, all.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(80, journal.entries().size());
        assertEquals(List.of(), journal.pending());
        assertEquals(160, Files.readAllLines(journal.file()).size());
    }
}
