package org.patchvisor.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a whole object or module file, refusing sizes no kernel module or object file reaches. */
final class FileBytes {
    /** Far above any real module (the largest Debian 6.1 module with debug info is well under this). */
    static final long MAX_SIZE = 1L << 30;

    private FileBytes() {
    }

    static byte[] read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw new ElfFormatException(file + ": " + size + " bytes is too large for an object file (limit "
                    + MAX_SIZE + ")");
        }
        return Files.readAllBytes(file);
    }
}
