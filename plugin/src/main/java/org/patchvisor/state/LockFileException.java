package org.patchvisor.state;

import java.io.IOException;

/**
 * Something other than a regular file sits at a lock's path (a symbolic link, a directory, a FIFO): patchvisor
 * refuses to lock through it and leaves it as it is. Not {@link StateLockedException}: waiting will not help, an
 * administrator has to look at what was put there.
 */
public final class LockFileException extends IOException {
    public LockFileException(String message) {
        super(message);
    }
}
