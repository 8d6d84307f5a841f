package org.patchvisor.elf;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.patchvisor.io.HeapShare;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.UnsafeFileException;

/**
 * Reads a whole object or module file, refusing what is not a regular file (a directory, {@code /dev/zero}) and
 * sizes that no object file reaches or that do not fit the heap, before a byte is read.
 */
final class FileBytes {
    /** Far above any real module (the largest Debian 6.1 module with debug info is well under this). */
    static final long MAX_SIZE = 1L << 30;

    private FileBytes() {
    }

    static byte[] read(Path file) throws IOException {
        return read(file, HeapShare.ofThisJvm());
    }

    /** The path is one an administrator named (or a build wrote): a link is followed, its target must be regular. */
    static byte[] read(Path file, HeapShare heap) throws IOException {
        BasicFileAttributes attributes = RegularFiles.regularAttributes(file, RegularFiles.Links.FOLLOW);
        long size = attributes.size();
        if (size > MAX_SIZE) {
            throw new UnsafeFileException(file, "has " + size + " bytes, more than any object file ("
                    + RegularFiles.describeSize(MAX_SIZE) + ")");
        }
        if (size > heap.perFile()) {
            throw heap.tooLarge(file, size);
        }
        return RegularFiles.read(file, Math.min(MAX_SIZE, heap.perFile()), RegularFiles.Links.FOLLOW);
    }
}
