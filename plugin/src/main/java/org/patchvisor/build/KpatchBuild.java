package org.patchvisor.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.spi.ProcessRunner;

/**
 * The alternative backend: where kpatch-build is installed, {@code build --backend kpatch-build} hands it the fix
 * and the same prepared Debian source tree {@code --check-fix} uses ({@code kpatch-build -s TREE -c CONFIG
 * -v VMLINUX -n NAME -o DIR FIX}); kpatch-build compiles the whole kernel twice and makes the module from the
 * changed functions itself. Debian builds its kernels with {@code KERNELRELEASE} set on make's command line, so
 * that is passed through {@code MAKEFLAGS}, or the module's vermagic would name the upstream version; kpatch-build's
 * scratch space ({@code CACHEDIR}) is kept beside the tree, so runs for two kernels never share it. What comes back
 * is checked like any module before it is published: a live patch, built for this release.
 */
public final class KpatchBuild {
    public static final String PROGRAM = "kpatch-build";
    /** kpatch-build cuts longer names (module_name_string). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");
    private final Path dir;
    private final ProcessRunner processes;
    private final Duration timeout;

    /** {@code dir} is the release's cache directory, shared with {@link FixComparison}. */
    public KpatchBuild(Path dir, ProcessRunner processes, Duration timeout) {
        this.dir = dir;
        this.processes = processes;
        this.timeout = timeout;
    }

    /** What can be refused before anything runs: the tool, the debug vmlinux, the module name. */
    public void preflight(String name, Path vmlinux, String release) throws BuildException {
        if (!NAME.matcher(name).matches()) {
            throw new BuildException(BuildException.Reason.REFUSED, "'" + name + "' is not a module name "
                    + PROGRAM + " keeps (letters, digits, _; at most 48)");
        }
        if (!processes.available(PROGRAM)) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " is not installed (Debian 12 does not "
                    + "package kpatch; install it from its upstream source, or use the patchvisor backend)");
        }
        if (!Files.isRegularFile(vmlinux)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no vmlinux with debug info at " + vmlinux
                    + " (install linux-image-" + release + "-dbg, or give --vmlinux)");
        }
    }

    /** Builds module {@code name} from {@code fix}; copies it to {@code out}. */
    public Path build(FixPatch fix, KernelSource source, String name, Path vmlinux, boolean replace, Path out)
            throws IOException {
        try (KernelSourceTree tree = KernelSourceTree.open(dir, processes, PROGRAM)) {
            return build(tree, fix, source, name, vmlinux, replace, out);
        }
    }

    /** The same on a tree the caller holds, e.g. the one it has just compared the fix in. */
    public Path build(KernelSourceTree tree, FixPatch fix, KernelSource source, String name, Path vmlinux,
                      boolean replace, Path out) throws IOException {
        preflight(name, vmlinux, source.release());
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
        tree.handOver(fix.file());
        ProcessRunner.Result result = null;
        try {
            result = processes.run(argv, timeout);
        } catch (IOException e) {
            throw new BuildException(BuildException.Reason.COMPILE, PROGRAM + " did not finish within "
                    + timeout.toHours() + " h, or could not be run: " + e.getMessage());
        } finally {
            tree.handedBack(result != null && result.ok());
        }
        Path ko = output.resolve(name + ".ko");
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.COMPILE, PROGRAM + " failed: " + lastError(result));
        }
        if (!Files.isRegularFile(ko)) {
            throw new BuildException(BuildException.Reason.COMPILE, PROGRAM + " made no " + ko.getFileName()
                    + " in " + output);
        }
        ModuleInfo info;
        try {
            info = ModuleFiles.read(ko);
        } catch (ElfFormatException e) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " made a module that cannot be "
                    + "read: " + e.getMessage());
        }
        if (!info.livepatch() || !info.targetRelease().equals(source.release())) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " made " + ko + ", which is "
                    + (info.livepatch() ? "built for " + info.targetRelease() : "not a live patch")
                    + ", not a live patch for " + source.release());
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.copy(ko, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    private static String lastError(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        return output.lines().filter(l -> l.startsWith("ERROR:")).reduce((a, b) -> b)
                .map(l -> l.substring("ERROR:".length()).strip())
                .orElseGet(() -> output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode()));
    }
}
