package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The two module syscalls, behind a seam so the engine can be tested without a kernel.
 * Both throw {@link KernelCallException} with the kernel's errno on refusal.
 */
public interface ModuleSyscalls {

    /** finit_module(2) on the file, with no parameters and no flags (never ignore vermagic or modversions). */
    void finitModule(Path module) throws IOException;

    /** delete_module(2) with O_NONBLOCK: a module still in use fails with EAGAIN/EWOULDBLOCK instead of waiting. */
    void deleteModule(String name) throws IOException;
}
