package org.patchvisor.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The real module syscalls through libc's {@code syscall(2)}: glibc has no wrapper for finit_module or
 * delete_module, and shelling out to insmod would hide the errno the engine needs (EBUSY means "retry").
 */
public final class JnaModuleSyscalls implements ModuleSyscalls {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_NONBLOCK = 0x800;

    private interface CLib extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        NativeLong syscall(NativeLong number, Object... args) throws LastErrorException;

        String strerror(int errnum);
    }

    private final CLib libc;
    private final long finitModule;
    private final long deleteModule;

    private JnaModuleSyscalls(CLib libc, long finitModule, long deleteModule) {
        this.libc = libc;
        this.finitModule = finitModule;
        this.deleteModule = deleteModule;
    }

    /** Loads libc and picks the syscall numbers of this architecture. */
    public static JnaModuleSyscalls load() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        long finit;
        long delete;
        switch (arch) {
            case "amd64", "x86_64" -> {
                finit = 313;
                delete = 176;
            }
            case "aarch64", "arm64", "riscv64", "loongarch64" -> {
                // The generic syscall table (asm-generic/unistd.h).
                finit = 273;
                delete = 106;
            }
            case "ppc64le", "ppc64" -> {
                finit = 353;
                delete = 129;
            }
            case "s390x" -> {
                finit = 344;
                delete = 129;
            }
            default -> throw new UnsupportedOperationException("no module syscall numbers known for architecture " + arch);
        }
        return new JnaModuleSyscalls(Native.load("c", CLib.class), finit, delete);
    }

    @Override
    public void finitModule(Path module) throws IOException {
        int fd;
        try {
            fd = libc.open(module.toString(), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("open " + module, e);
        }
        try {
            libc.syscall(new NativeLong(finitModule), fd, "", 0);
        } catch (LastErrorException e) {
            throw fail("finit_module", e);
        } finally {
            libc.close(fd);
        }
    }

    @Override
    public void deleteModule(String name) throws IOException {
        try {
            libc.syscall(new NativeLong(deleteModule), name, O_NONBLOCK);
        } catch (LastErrorException e) {
            throw fail("delete_module " + name, e);
        }
    }

    private KernelCallException fail(String call, LastErrorException e) {
        int errno = e.getErrorCode();
        return new KernelCallException(call, errno, libc.strerror(errno));
    }
}
