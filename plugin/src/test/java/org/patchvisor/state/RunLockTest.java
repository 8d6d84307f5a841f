package org.patchvisor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.time.FakeTicker;
import org.patchvisor.time.Ticker;

class RunLockTest {

    private static final Clock NOON = Clock.fixed(Instant.parse("2024-05-01T12:00:01Z"), ZoneOffset.UTC);

    @TempDir
    Path stateDir;

    @Test
    void recordsTheHolderWhileHeldAndClearsItOnClose() throws IOException {
        Path file = stateDir.resolve("lock");
        try (RunLock lock = RunLock.acquire(stateDir, "apply", Duration.ZERO, NOON)) {
            assertEquals(ProcessHandle.current().pid(), lock.pid());
            RunLock.Holder holder = RunLock.readHolder(file).orElseThrow();
            assertEquals(new RunLock.Holder(ProcessHandle.current().pid(), "apply", NOON.instant()), holder);
        }
        assertEquals(0, Files.size(file));
        try (RunLock again = RunLock.acquire(stateDir, "remove", Duration.ZERO)) {
            assertEquals("remove", again.operation());
        }
    }

    @Test
    void failsAtOnceWithOneLineNamingTheHolder() throws IOException {
        try (RunLock held = RunLock.acquire(stateDir, "apply", Duration.ZERO, NOON)) {
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> RunLock.acquire(stateDir, "status", Duration.ZERO, NOON));
            assertEquals("another patchvisor run holds " + stateDir.resolve("lock") + " (pid " + held.pid()
                    + ", apply, since 12:00:01Z)", e.getMessage());
        }
    }

    @Test
    void describesAnOldOrUnknownHolder() {
        Path file = Path.of("/var/lib/patchvisor/lock");
        Instant yesterday = NOON.instant().minus(Duration.ofDays(1));
        assertEquals("another patchvisor run holds /var/lib/patchvisor/lock (pid 1234, apply, since 2024-04-30 12:00:01Z)",
                RunLock.describe(file, Optional.of(new RunLock.Holder(1234, "apply", yesterday)), NOON));
        assertEquals("another patchvisor run holds /var/lib/patchvisor/lock (holder unknown)",
                RunLock.describe(file, Optional.empty(), NOON));
    }

    @Test
    void waitsUntilTheHolderLetsGo() throws Exception {
        RunLock held = RunLock.acquire(stateDir, "apply", Duration.ZERO);
        List<Duration> slept = new ArrayList<>();
        FakeTicker ticker = new FakeTicker() {
            @Override
            public void sleep(Duration duration) throws InterruptedException {
                super.sleep(duration);
                slept.add(duration);
                if (slept.size() == 3) {
                    close(held);
                }
            }
        };
        try (RunLock lock = RunLock.acquire(stateDir, "remove", Duration.ofSeconds(10), NOON, ticker)) {
            // Busy at the first three looks, taken at the fourth, right after the holder let go.
            assertEquals(Collections.nCopies(3, Duration.ofMillis(100)), slept);
            assertEquals("remove", lock.operation());
            assertEquals(RunLock.readHolder(stateDir.resolve("lock")).orElseThrow().operation(), lock.operation());
        }
    }

    @Test
    void givesUpAfterMaxWait() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (RunLock held = RunLock.acquire(stateDir, "apply", Duration.ZERO)) {
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> RunLock.acquire(stateDir, "apply", Duration.ofMillis(350), NOON, ticker));
            assertTrue(e.getMessage().contains("(pid " + held.pid() + ", apply, since "), e.getMessage());
            assertEquals(Duration.ofMillis(350).toNanos(), ticker.now, "gave up exactly at the deadline");
        }
    }

    @Test
    void rejectsANegativeWait() {
        assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(stateDir, "apply", Duration.ofSeconds(-1)));
    }

    @Test
    void anotherProcessHoldingTheLockExcludesUsUntilItIsKilled() throws Exception {
        Process child = startHolder("apply");
        try {
            long childPid = awaitLocked(child);
            assertEquals(child.pid(), childPid);

            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> RunLock.acquire(stateDir, "apply", Duration.ZERO));
            assertTrue(e.getMessage().contains("(pid " + child.pid() + ", apply, since "), e.getMessage());

            CountDownLatch looked = new CountDownLatch(3);
            Ticker counting = new Ticker() {
                @Override
                public long nanoTime() {
                    return Ticker.SYSTEM.nanoTime();
                }

                @Override
                public void sleep(Duration duration) throws InterruptedException {
                    looked.countDown();
                    Ticker.SYSTEM.sleep(duration);
                }
            };
            CompletableFuture<RunLock> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return RunLock.acquire(stateDir, "remove", Duration.ofSeconds(30), Clock.systemUTC(), counting);
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            assertTrue(looked.await(10, TimeUnit.SECONDS), "the waiter never looked at the lock");
            assertTrue(!waiter.isDone(), "the lock was taken while another process held it");

            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue());

            try (RunLock lock = waiter.get(10, TimeUnit.SECONDS)) {
                RunLock.Holder holder = RunLock.readHolder(stateDir.resolve("lock")).orElseThrow();
                assertEquals(ProcessHandle.current().pid(), holder.pid());
                assertEquals("remove", holder.operation());
                assertEquals(holder.since(), lock.since());
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void theNextRunFindsWhatAKilledRunLeftInTheJournal() throws Exception {
        Process child = startHolder("apply", "livepatch_a");
        try {
            awaitLocked(child);
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));

            try (RunLock lock = RunLock.acquire(stateDir, "apply", Duration.ofSeconds(10))) {
                assertEquals(ProcessHandle.current().pid(), lock.pid());
                Journal journal = new Journal(stateDir);
                List<JournalEntry> pending = journal.pending();
                assertEquals(1, pending.size());
                JournalEntry left = pending.get(0);
                assertEquals(child.pid(), left.pid());
                assertEquals(Phase.LOADED, left.phase());

                ReconcileDecision decision = Reconciler.decide(left, StateStoreTest.HOST, Optional.empty(), false);
                assertEquals(ReconcileDecision.Action.FORGET, decision.action());
                journal.phase(left.id(), Phase.RECONCILED);
                assertEquals(List.of(), journal.pending());
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    private static void close(RunLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process startHolder(String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", classPath(), LockHolderMain.class.getName(), stateDir.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The test class path, plus the code sources this test needs in case the runner hides them in a jar. */
    private static String classPath() {
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        for (Class<?> type : List.of(LockHolderMain.class, RunLock.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.core.JsonGenerator.class, com.fasterxml.jackson.annotation.JsonInclude.class)) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (Exception e) {
                throw new IllegalStateException("cannot locate the classes of " + type, e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static long awaitLocked(Process child) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder seen = new StringBuilder();
                String next;
                while ((next = out.readLine()) != null) {
                    if (next.startsWith("LOCKED ")) {
                        return next;
                    }
                    seen.append(next).append('\n');
                }
                throw new IllegalStateException("lock holder exited without locking:\n" + seen);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return Long.parseLong(line.get(60, TimeUnit.SECONDS).substring("LOCKED ".length()).trim());
    }

    @Test
    void aLinkPlantedAtTheLockIsRefusedAndItsTargetLeftAlone() throws IOException {
        Path outside = Files.createTempFile(stateDir.getParent(), "victim", ".txt");
        Files.writeString(outside, "fifteen bytes!\n");
        Files.createSymbolicLink(stateDir.resolve("lock"), outside);
        LockFileException e = assertThrows(LockFileException.class,
                () -> RunLock.acquire(stateDir, "worker", Duration.ZERO, NOON));
        assertEquals(stateDir.resolve("lock") + " is a symbolic link, not a regular file; refusing to lock through it"
                + " (remove it if it is not yours)", e.getMessage());
        assertEquals("fifteen bytes!\n", Files.readString(outside));
        Files.delete(outside);
    }

    @Test
    void aDanglingLinkIsNotFollowedToCreateItsTarget() throws IOException {
        Path target = stateDir.resolveSibling(stateDir.getFileName() + "-created-through-link");
        Files.createSymbolicLink(stateDir.resolve("lock"), target);
        assertThrows(LockFileException.class, () -> RunLock.acquire(stateDir, "apply", Duration.ZERO, NOON));
        assertTrue(Files.notExists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aDirectoryAtTheLockIsRefusedWithoutWaiting() throws IOException {
        Files.createDirectory(stateDir.resolve("lock"));
        FakeTicker ticker = new FakeTicker();
        LockFileException e = assertThrows(LockFileException.class,
                () -> RunLock.acquire(stateDir, "apply", Duration.ofSeconds(30), NOON, ticker));
        assertTrue(e.getMessage().startsWith(stateDir.resolve("lock") + " is a directory"), e.getMessage());
        assertEquals(0, ticker.now, "waiting cannot help");
    }

    @Test
    void theHolderIsNotReadThroughALink() throws IOException {
        Path secret = Files.createTempFile(stateDir.getParent(), "secret", ".json");
        Files.writeString(secret, "{\"pid\":1,\"operation\":\"secret\",\"since\":\"2024-05-01T12:00:00Z\"}");
        Path link = stateDir.resolve("lock");
        Files.createSymbolicLink(link, secret);
        assertEquals(Optional.empty(), RunLock.readHolder(link));
        Files.delete(secret);
    }
}
