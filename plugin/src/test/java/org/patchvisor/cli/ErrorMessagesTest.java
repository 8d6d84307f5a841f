package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Through the real CLI: every file error is one line naming the file and the reason, once. */
class ErrorMessagesTest {
    @TempDir
    Path tmp;
    FakeRoot host;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
    }

    @Test
    void fileSystemErrorsNameTheFileAndTheReason() {
        assertEquals("/x/y: no such file", ShortErrorHandler.message(new NoSuchFileException("/x/y")));
        assertEquals("/x/y: permission denied", ShortErrorHandler.message(new AccessDeniedException("/x/y")));
        assertEquals("/x/y: is a directory",
                ShortErrorHandler.message(new FileSystemException("/x/y", null, "Is a directory")));
        assertEquals("/a -> /b: read-only file system",
                ShortErrorHandler.message(new FileSystemException("/a", "/b", "Read-only file system")));
    }

    @Test
    void aMissingInputIsNoSuchFile() throws Exception {
        Path missing = tmp.resolve("missing.o");
        Path present = Files.write(tmp.resolve("x.o"), new byte[] {1});
        FakeRoot.Run run = host.run("diff", missing.toString(), present.toString());
        assertEquals(ExitCodes.ERROR, run.exit());
        assertEquals("patchvisor: " + missing + ": no such file\n", run.err());
    }

    @Test
    void devZeroGivenToDiffIsADeviceNotAMissingFile() throws Exception {
        Path present = Files.write(tmp.resolve("x.o"), new byte[] {1});
        FakeRoot.Run run = host.run("diff", "/dev/zero", present.toString());
        assertEquals(ExitCodes.ERROR, run.exit());
        assertEquals("patchvisor: /dev/zero is a device, FIFO or socket, not a regular file\n", run.err());
    }

    @Test
    void aDirectoryGivenToApplyIsNamed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("not-a-module"));
        FakeRoot.Run run = host.run("apply", dir.toString(), "--state-dir", tmp.resolve("state").toString());
        assertEquals("patchvisor: " + dir + " is a directory, not a regular file\n", run.err());
    }

    @Test
    void anElfErrorNamesTheFileOnce() throws Exception {
        Path junk = Files.writeString(tmp.resolve("x.o"), "not an object file, only text of some length");
        FakeRoot.Run run = host.run("diff", junk.toString(), junk.toString());
        assertEquals(ExitCodes.REFUSED, run.exit());
        assertEquals("patchvisor: " + junk + ": not an ELF file (bad magic)\n", run.err());
    }

    @Test
    void aHugeObjectIsRefusedInOneLineInsteadOfRunningOutOfMemory() throws Exception {
        Path huge = tmp.resolve("vmlinux.o");
        try (RandomAccessFile raf = new RandomAccessFile(huge.toFile(), "rw")) {
            raf.setLength(3L << 30); // sparse: above the cap whatever heap the tests run with
        }
        FakeRoot.Run run = host.run("diff", huge.toString(), huge.toString());
        assertEquals(ExitCodes.ERROR, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("patchvisor: " + huge + " has 3221225472 bytes, more than"), run.err());
    }
}
