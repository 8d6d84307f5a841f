package org.patchvisor.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.patchvisor.kernel.JnaModuleSyscalls;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.kernel.LocalKernel;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.kernel.ModuleSyscalls;
import org.patchvisor.time.Ticker;

/**
 * The seams every command runs against: the filesystem root its /proc and /sys live under, the module
 * syscalls, the ticker every wait is measured on, the environment, the wall clock (timestamps, expiry) and the
 * runner of host programs. {@link #system()} is the real host; tests build their own.
 */
public record HostContext(Path root, Supplier<ModuleSyscalls> syscalls, Ticker ticker, Map<String, String> env,
        Clock clock, ProcessRunner processes) {

    /** The real wall clock, and host programs found on the environment's PATH. */
    public HostContext(Path root, Supplier<ModuleSyscalls> syscalls, Ticker ticker, Map<String, String> env) {
        this(root, syscalls, ticker, env, Clock.systemUTC(), new SystemProcessRunner(env.get("PATH")));
    }

    public static HostContext system() {
        return new HostContext(Path.of("/"), once(JnaModuleSyscalls::load), Ticker.SYSTEM, System.getenv());
    }

    /** The same seams with host programs run by {@code runner}. */
    public HostContext withProcesses(ProcessRunner runner) {
        return new HostContext(root, syscalls, ticker, env, clock, runner);
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
