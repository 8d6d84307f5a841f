package org.patchvisor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.FileSerialStore;
import org.patchvisor.io.UnsafeFileException;
import org.patchvisor.model.KernelId;

/**
 * State files replaced by a link to {@code /dev/zero} or by a FIFO used to make {@code status} and {@code check}
 * run out of memory or hang; they are refused with one line naming the file, and nothing is written through them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlantedStateFilesTest {
    static final KernelId HOST = new KernelId("6.1.0-56-amd64", "#1 SMP", "x86_64", Optional.of("ab".repeat(20)));
    @TempDir
    Path stateDir;

    private static void mkfifo(Path path) throws Exception {
        Files.createDirectories(path.getParent());
        Process process = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, process.waitFor(), "mkfifo " + path);
    }

    private static void link(Path path, Path target) throws IOException {
        Files.createDirectories(path.getParent());
        Files.createSymbolicLink(path, target);
    }

    private Path installedFile() {
        return stateDir.resolve(StateStore.KERNELS).resolve(StateStore.key(HOST)).resolve(StateStore.INSTALLED);
    }

    @Test
    void installedRecordLinkedToDevZeroIsRefused() throws IOException {
        link(installedFile(), Path.of("/dev/zero"));
        StateStore store = new StateStore(stateDir);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> store.installed(HOST));
        assertEquals(installedFile() + " is a symbolic link, not a regular file", e.getMessage());
        assertThrows(UnsafeFileException.class, store::kernels, "status lists kernels: reported, not skipped");
    }

    @Test
    void installedRecordThatIsAFifoIsRefusedWithoutWaiting() throws Exception {
        mkfifo(installedFile());
        StateStore store = new StateStore(stateDir);
        assertThrows(UnsafeFileException.class, () -> store.installed(HOST));
        assertThrows(UnsafeFileException.class, store::kernels);
    }

    @Test
    void oversizedInstalledRecordIsRefused() throws IOException {
        Files.createDirectories(installedFile().getParent());
        Files.write(installedFile(), new byte[(int) StateStore.INSTALLED_MAX_BYTES + 1]);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> new StateStore(stateDir).installed(HOST));
        assertTrue(e.getMessage().contains("more than the 4 MiB allowed"), e.getMessage());
    }

    @Test
    void journalLinkedToDevZeroIsRefusedAndNotWrittenThrough() throws IOException {
        Path elsewhere = stateDir.resolve("elsewhere.txt");
        Files.writeString(elsewhere, "");
        link(stateDir.resolve(Journal.FILE_NAME), Path.of("/dev/zero"));
        Journal journal = new Journal(stateDir, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 1, 10);
        assertThrows(UnsafeFileException.class, journal::pending);
        Files.delete(stateDir.resolve(Journal.FILE_NAME));
        link(stateDir.resolve(Journal.FILE_NAME), elsewhere);
        assertThrows(UnsafeFileException.class, () -> journal.begin(Operation.APPLY, "lp", HOST));
        assertEquals(0, Files.size(elsewhere), "nothing appended through the link");
    }

    @Test
    void journalThatIsAFifoIsRefusedWithoutWaiting() throws Exception {
        mkfifo(stateDir.resolve(Journal.FILE_NAME));
        Journal journal = new Journal(stateDir, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 1, 10);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, journal::pending);
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
    }

    @Test
    void journalWithANonUtf8LineNamesTheLine() throws IOException {
        Journal journal = new Journal(stateDir, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 1, 10);
        journal.begin(Operation.APPLY, "lp", HOST);
        Files.write(journal.file(), new byte[] {'{', (byte) 0xff, '}', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        StateCorruptException e = assertThrows(StateCorruptException.class, journal::pending);
        assertTrue(e.getMessage().contains("line 2 is not UTF-8"), e.getMessage());
    }

    @Test
    void lastSerialLinkedToDevZeroOrAFifoIsRefused() throws Exception {
        FileSerialStore serials = new FileSerialStore(stateDir);
        Path file = serials.fileFor("https://feed.example/");
        link(file, Path.of("/dev/zero"));
        assertThrows(UnsafeFileException.class, () -> serials.lastAccepted("https://feed.example/"));
        Files.delete(file);
        mkfifo(file);
        assertThrows(UnsafeFileException.class, () -> serials.lastAccepted("https://feed.example/"));
        Files.delete(file);
        Files.writeString(file, "root:x:0:0\n");
        StateCorruptException e = assertThrows(StateCorruptException.class, () -> serials.lastAccepted("https://feed.example/"));
        assertTrue(e.getMessage().contains(file + " is corrupt (not a serial number)"), e.getMessage());
        Files.writeString(file, "7\n");
        assertEquals(OptionalLong.of(7), serials.lastAccepted("https://feed.example/"));
    }
}
