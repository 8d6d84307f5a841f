package org.patchvisor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesContentAndCreatesParentsWithoutLeavingTempFiles() throws IOException {
        Path target = dir.resolve("a/b/installed.json");

        AtomicFiles.write(target, "first".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, "second".getBytes(StandardCharsets.UTF_8));

        assertEquals("second", Files.readString(target));
        assertEquals(List.of("installed.json"), names(target.getParent()));
    }

    @Test
    void copiesAFile() throws IOException {
        Path src = dir.resolve("module.ko");
        byte[] content = new byte[200_000];
        Arrays.fill(content, (byte) 7);
        Files.write(src, content);

        Path target = dir.resolve("store/copy.ko");
        AtomicFiles.copy(src, target);

        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of("copy.ko"), names(target.getParent()));
    }

    @Test
    void aFailedCopyLeavesTheOldTargetAndNoTempFile() throws IOException {
        Path target = dir.resolve("target");
        Files.writeString(target, "old");

        assertThrows(NoSuchFileException.class, () -> AtomicFiles.copy(dir.resolve("missing"), target));
        Path notAFile = Files.createDirectory(dir.resolve("sub"));
        assertThrows(IOException.class, () -> AtomicFiles.copy(notAFile, target));

        assertEquals("old", Files.readString(target));
        assertEquals(List.of("sub", "target"), names(dir));
    }

    @Test
    void removesTempFilesOfDeadWritersButNotOfLiveOnes() throws Exception {
        long dead = deadPid();
        Process live = new ProcessBuilder("sleep", "30").start();
        try {
            Path staleTemp = Files.writeString(dir.resolve(".state.json." + dead + ".ab12.tmp"), "half");
            Path liveTemp = Files.writeString(dir.resolve(".state.json." + live.pid() + ".cd34.tmp"), "busy");
            Path ownTemp = Files.writeString(
                    dir.resolve(".state.json." + ProcessHandle.current().pid() + ".ef56.tmp"), "mine");
            Path otherTarget = Files.writeString(dir.resolve(".other.json." + dead + ".ab12.tmp"), "other");

            AtomicFiles.write(dir.resolve("state.json"), new byte[] {1});

            assertFalse(Files.exists(staleTemp));
            assertTrue(Files.exists(liveTemp));
            assertTrue(Files.exists(ownTemp));
            assertTrue(Files.exists(otherTarget), "temp files of other targets are left to their own writes");
        } finally {
            live.destroyForcibly().waitFor();
        }
    }

    @Test
    void concurrentWritersNeverExposeAHalfWrittenFile() throws Exception {
        Path target = dir.resolve("shared.bin");
        int size = 256 * 1024;
        AtomicFiles.write(target, filled(size, 0));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<?> reader = pool.submit(() -> {
                while (!done.get()) {
                    byte[] seen = Files.readAllBytes(target);
                    assertEquals(size, seen.length, "a reader saw a partial file");
                    for (byte b : seen) {
                        if (b != seen[0]) {
                            throw new AssertionError("a reader saw a mix of two writes");
                        }
                    }
                    reads.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 1; w <= 4; w++) {
                byte[] content = filled(size, w);
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        AtomicFiles.write(target, content);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            reader.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(reads.get() > 0);
        assertEquals(List.of("shared.bin"), names(dir));
    }

    private static byte[] filled(int size, int value) {
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) value);
        return content;
    }

    static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        long pid = process.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
