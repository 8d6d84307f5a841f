package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.patchvisor.io.ProcessRunner;

/**
 * The kpatch-build backend: where kpatch-build is installed, {@code build --backend kpatch-build} hands it the fix
 * and the same prepared Debian source tree {@code --check-fix} uses ({@code kpatch-build -s TREE -c CONFIG
 * -v VMLINUX -n NAME -o DIR FIX}); kpatch-build compiles the whole kernel twice and makes the module from the
 * changed functions itself. Debian builds its kernels with {@code KERNELRELEASE} set on make's command line, so
 * that is passed through {@code MAKEFLAGS}, or the module's vermagic would name the upstream version; kpatch-build's
 * scratch space ({@code CACHEDIR}) is kept beside the tree, so runs for two kernels never share it.
 */
public final class KpatchBuild implements FixBuilder {
    public static final String PROGRAM = "kpatch-build";
    /** kpatch-build cuts longer names (module_name_string). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");
    private final Path dir;
    private final ProcessRunner processes;
    private final Duration timeout;
    private final Path vmlinux;
    private final String release;

    /**
     * {@code dir} is the release's cache directory, shared with {@link FixComparison}; {@code vmlinux} is the
     * kernel's image with debug info, which kpatch-build reads.
     */
    public KpatchBuild(Path dir, ProcessRunner processes, Duration timeout, Path vmlinux, String release) {
        this.dir = dir;
        this.processes = processes;
        this.timeout = timeout;
        this.vmlinux = vmlinux;
        this.release = release;
    }

    @Override
    public String program() {
        return PROGRAM;
    }

    /** What can be refused before anything runs: the tool, the debug vmlinux, the module name. */
    @Override
    public void preflight(String name) throws BuildException {
        ForeignBuilds.requireName(name, NAME, PROGRAM, 48);
        if (!processes.available(PROGRAM)) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " is not installed (Debian 12 does not "
                    + "package kpatch; install it from its upstream source, or use the patchvisor backend)");
        }
        if (!Files.isRegularFile(vmlinux)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no vmlinux with debug info at " + vmlinux
                    + " (install linux-image-" + release + "-dbg, or give --vmlinux)");
        }
    }

    /** Builds module {@code name} from {@code fix}, taking the tree for itself; copies it to {@code out}. */
    public Path build(FixPatch fix, KernelSource source, String name, boolean replace, Path out) throws IOException {
        try (KernelSourceTree tree = KernelSourceTree.open(dir, processes, PROGRAM)) {
            return build(tree, fix, source, name, replace, out);
        }
    }

    @Override
    public Path build(KernelSourceTree tree, FixPatch fix, KernelSource source, String name, boolean replace,
                      Path out) throws IOException {
        preflight(name);
        tree.prepare(source);
        Path output = ScratchDirs.reset(tree.dir().resolve("kpatch-output"));
        List<String> argv = new ArrayList<>(List.of("env", "CACHEDIR=" + tree.dir().resolve("kpatch-cache"),
                "MAKEFLAGS= -- KERNELRELEASE=" + source.release(), PROGRAM, "-s", tree.path().toString(),
                "-c", source.config().toAbsolutePath().toString(), "-v", vmlinux.toAbsolutePath().toString(),
                "-n", name, "-o", output.toString(), "-j",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        if (!replace) {
            argv.add("--non-replace");
        }
        argv.add(fix.file().toAbsolutePath().toString());
        ForeignBuilds.run(tree, fix, processes, PROGRAM, argv, timeout, KpatchBuild::lastError);
        return ForeignBuilds.collect(PROGRAM, output.resolve(name + ".ko"), source.release(), out);
    }

    private static String lastError(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        return output.lines().filter(l -> l.startsWith("ERROR:")).reduce((a, b) -> b)
                .map(l -> l.substring("ERROR:".length()).strip())
                .orElseGet(() -> output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode()));
    }
}
