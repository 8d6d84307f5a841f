package org.patchvisor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A path that is there but is not a file patchvisor may read or write: a link, a directory, a FIFO, too large. */
public final class UnsafeFileException extends IOException {
    private final transient Path file;

    public UnsafeFileException(Path file, String problem) {
        super(file + " " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
