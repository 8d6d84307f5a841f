package org.patchvisor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.RegularFiles.Links;

class RegularFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileWithinItsCap() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "hello");
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), RegularFiles.read(file, 5, Links.REFUSE));
    }

    @Test
    void refusesAFileLargerThanItsCapWithoutReadingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "hello!");
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.read(file, 5, Links.REFUSE));
        assertEquals(file + " has 6 bytes, more than the 5 bytes allowed", e.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aLinkToDevZeroIsRefusedNotReadUntilTheHeapIsFull() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("index.json"), Paths.get("/dev/zero"));
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.read(link, 1 << 20, Links.REFUSE));
        assertEquals(link + " is a symbolic link, not a regular file", e.getMessage());
        UnsafeFileException followed = assertThrows(UnsafeFileException.class,
                () -> RegularFiles.read(link, 1 << 20, Links.FOLLOW));
        assertEquals(link + " is a device, FIFO or socket, not a regular file", followed.getMessage());
    }

    @Test
    void aLinkToASecretIsRefusedAndItsContentNeverShown() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "root:$6$hash");
        Path link = Files.createSymbolicLink(dir.resolve("index.json.sig"), secret);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.read(link, 100, Links.REFUSE));
        assertFalse(e.getMessage().contains("root"), e.getMessage());
        assertArrayEquals(Files.readAllBytes(secret), RegularFiles.read(link, 100, Links.FOLLOW));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("installed.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.read(fifo, 100, Links.FOLLOW));
        assertEquals(fifo + " is a device, FIFO or socket, not a regular file", e.getMessage());
    }

    @Test
    void aDirectoryIsNamedAsOne() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("2500.1.event"));
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.read(sub, 100, Links.REFUSE));
        assertEquals(sub + " is a directory, not a regular file", e.getMessage());
    }

    @Test
    void aMissingFileIsNoSuchFileOrEmpty() throws Exception {
        Path missing = dir.resolve("missing");
        assertThrows(NoSuchFileException.class, () -> RegularFiles.read(missing, 100, Links.REFUSE));
        assertTrue(RegularFiles.readIfPresent(missing, 100, Links.REFUSE).isEmpty());
    }

    @Test
    void anOwnedFileIsNeverOpenedThroughALink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "fifteen bytes!!");
        Path lock = Files.createSymbolicLink(dir.resolve("lock"), victim);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> RegularFiles.openOwned(lock));
        assertEquals(lock + " is a symbolic link, not a regular file", e.getMessage());
        assertEquals(15, Files.size(victim));
        Path dangling = Files.createSymbolicLink(dir.resolve("lock2"), dir.resolve("nowhere"));
        assertThrows(UnsafeFileException.class, () -> RegularFiles.openOwned(dangling));
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void anOwnedFileIsCreatedWhenAbsent() throws Exception {
        Path lock = dir.resolve("lock");
        try (FileChannel channel = RegularFiles.openOwned(lock)) {
            assertTrue(channel.isOpen());
        }
        assertTrue(Files.isRegularFile(lock));
    }
}
