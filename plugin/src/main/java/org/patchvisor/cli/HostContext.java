package org.patchvisor.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.patchvisor.kernel.JnaModuleSyscalls;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.kernel.LocalKernel;
import org.patchvisor.kernel.ModuleSyscalls;
import org.patchvisor.time.Ticker;

/**
 * The seams every command runs against: the filesystem root its /proc and /sys live under, the module
 * syscalls, the clock and the environment. {@link #system()} is the real host; tests build their own.
 */
public record HostContext(Path root, Supplier<ModuleSyscalls> syscalls, Ticker ticker, Map<String, String> env) {

    public static HostContext system() {
        return new HostContext(Path.of("/"), once(JnaModuleSyscalls::load), Ticker.SYSTEM, System.getenv());
    }

    /** Loads libc at most once, and only when a module syscall is really made. */
    static Supplier<ModuleSyscalls> once(Supplier<ModuleSyscalls> loader) {
        return new Supplier<>() {
            private ModuleSyscalls loaded;

            @Override
            public synchronized ModuleSyscalls get() {
                if (loaded == null) {
                    loaded = loader.get();
                }
                return loaded;
            }
        };
    }

    public KernelPort kernel() {
        return new LocalKernel(root, syscalls);
    }
}
