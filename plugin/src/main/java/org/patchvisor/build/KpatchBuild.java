package org.patchvisor.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.state.RunLock;

/**
 * The alternative backend: where kpatch-build is installed, {@code build --backend kpatch-build} hands it the fix
 * and the same prepared Debian source tree {@code --check-fix} uses ({@code kpatch-build -s TREE -c CONFIG
 * -v VMLINUX -n NAME -o DIR FIX}); kpatch-build compiles the whole kernel twice and makes the module from the
 * changed functions itself. What comes back is checked like any module before it is published: a live patch, built
 * for this release. kpatch-build reverses the fix when it exits, but not when it is killed, and it edits scripts in
 * the tree while it runs: a marker written before it starts tells the next run to make the tree again.
 */
public final class KpatchBuild {
    public static final String PROGRAM = "kpatch-build";
    static final String RUNNING = "kpatch-build.running";
    private final Path dir;
    private final ProcessRunner processes;
    private final Duration timeout;

    /** {@code dir} is the release's cache directory, shared with {@link FixComparison}. */
    public KpatchBuild(Path dir, ProcessRunner processes, Duration timeout) {
        this.dir = dir;
        this.processes = processes;
        this.timeout = timeout;
    }

    /** Builds module {@code name} from {@code fix}; copies it to {@code out}. */
    public Path build(FixPatch fix, KernelSourceTree.Inputs inputs, String name, Path vmlinux, boolean replace,
                      Path out) throws IOException {
        LivePatchManifest.requireModuleName(name);
        if (!processes.available(PROGRAM)) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " is not installed (Debian 12 does not "
                    + "package kpatch; install it from its upstream source, or use the patchvisor backend)");
        }
        if (!Files.isRegularFile(vmlinux)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no vmlinux with debug info at " + vmlinux
                    + " (install linux-image-" + inputs.release() + "-dbg, or give --vmlinux)");
        }
        Files.createDirectories(dir);
        KernelSourceTree tree = new KernelSourceTree(dir, processes);
        try (RunLock lock = RunLock.acquire(dir, PROGRAM, Duration.ZERO)) {
            if (Files.exists(dir.resolve(RUNNING))) {
                tree.discard();
                Files.delete(dir.resolve(RUNNING));
            }
            tree.prepare(inputs);
            Path output = dir.resolve("kpatch-output");
            if (Files.exists(output)) {
                processes.run(List.of("rm", "-rf", "--", output.toString()), Duration.ofMinutes(5));
            }
            Files.createDirectories(output);
            Files.copy(fix.file(), dir.resolve(RUNNING), StandardCopyOption.REPLACE_EXISTING);
            List<String> argv = new ArrayList<>(List.of(PROGRAM, "-s", tree.path().toString(), "-c",
                    inputs.config().toAbsolutePath().toString(), "-v", vmlinux.toAbsolutePath().toString(),
                    "-n", name, "-o", output.toString(), "-j", Integer.toString(Runtime.getRuntime()
                            .availableProcessors())));
            if (!replace) {
                argv.add("--non-replace");
            }
            argv.add(fix.file().toAbsolutePath().toString());
            ProcessRunner.Result result = processes.run(argv, timeout);
            settle(tree, fix);
            Path ko = output.resolve(name + ".ko");
            if (!result.ok() || !Files.isRegularFile(ko)) {
                throw new BuildException(BuildException.Reason.COMPILE, PROGRAM + " failed: " + lastError(result));
            }
            ModuleInfo info = ModuleFiles.read(ko);
            if (!info.livepatch() || !info.targetRelease().equals(inputs.release())) {
                throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " made " + ko + ", which is "
                        + (info.livepatch() ? "built for " + info.targetRelease() : "not a live patch")
                        + ", not a live patch for " + inputs.release());
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.copy(ko, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        }
    }

    /** After kpatch-build: a tree it left patched is made again; only then is the marker dropped. */
    private void settle(KernelSourceTree tree, FixPatch fix) throws IOException {
        ProcessRunner.Result stillApplied = processes.run(List.of("patch", "-d", tree.path().toString(), "-p1",
                "--batch", "--forward", "--reverse", "--dry-run", "-i", fix.file().toAbsolutePath().toString()),
                Duration.ofMinutes(2));
        if (stillApplied.ok()) {
            tree.discard();
        }
        Files.delete(dir.resolve(RUNNING));
    }

    private static String lastError(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        return output.lines().filter(l -> l.startsWith("ERROR:")).reduce((a, b) -> b)
                .map(l -> l.substring("ERROR:".length()).strip())
                .orElseGet(() -> output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode()));
    }
}
