package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.HeapShare;
import org.patchvisor.io.UnsafeFileException;

/** Files are refused by size and kind before they are read: sparse files stand in for huge objects. */
class FileBytesTest {
    private static final HeapShare LAUNCHER_HEAP = new HeapShare(256L << 20);

    @TempDir
    Path tmp;

    private Path sparse(String name, long length) throws IOException {
        Path file = tmp.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return file;
    }

    @Test
    void aFileLargerThanItsShareOfTheHeapIsRefusedWithTheWayToRaiseIt() throws IOException {
        Path big = sparse("vmlinux.o", 500_000_000L);
        UnsafeFileException e = assertThrows(UnsafeFileException.class, () -> FileBytes.read(big, LAUNCHER_HEAP));
        assertEquals(big + " has 500000000 bytes, more than the 64 MiB patchvisor reads into memory with a 256 MiB"
                + " heap; raise the heap with PATCHVISOR_JAVA_OPTS=-Xmx1908m", e.getMessage());
    }

    @Test
    void aFileBeyondAnyObjectIsRefusedWhateverTheHeap() throws IOException {
        Path huge = sparse("huge.o", (1L << 30) + 1);
        UnsafeFileException e = assertThrows(UnsafeFileException.class,
                () -> FileBytes.read(huge, new HeapShare(64L << 30)));
        assertEquals(huge + " has 1073741825 bytes, more than any object file (1024 MiB)", e.getMessage());
    }

    @Test
    void aFileWithinTheShareIsRead() throws IOException {
        Path small = Files.write(tmp.resolve("u.o"), new byte[] {0x7f, 'E', 'L', 'F'});
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, FileBytes.read(small, LAUNCHER_HEAP));
    }

    @Test
    void aDeviceOrDirectoryIsNamedForWhatItIs() {
        UnsafeFileException zero = assertThrows(UnsafeFileException.class,
                () -> FileBytes.read(Path.of("/dev/zero"), LAUNCHER_HEAP));
        assertEquals("/dev/zero is a device, FIFO or socket, not a regular file", zero.getMessage());
        UnsafeFileException dir = assertThrows(UnsafeFileException.class, () -> FileBytes.read(tmp, LAUNCHER_HEAP));
        assertEquals(tmp + " is a directory, not a regular file", dir.getMessage());
    }
}
