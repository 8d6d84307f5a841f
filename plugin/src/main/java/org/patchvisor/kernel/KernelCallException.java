package org.patchvisor.kernel;

import java.io.IOException;

/** The kernel refused a module syscall; {@link #errno()} says why (EBUSY, EEXIST, ENOEXEC, EPERM...). */
public final class KernelCallException extends IOException {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ENOEXEC = 8;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EKEYREJECTED = 129;

    private final int errno;

    public KernelCallException(String call, int errno, String detail) {
        super(call + " failed: " + detail + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
