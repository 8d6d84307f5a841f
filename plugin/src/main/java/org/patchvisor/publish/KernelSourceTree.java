package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.state.RunLock;
import org.patchvisor.io.Sha256;

/**
 * The kernel's own source, unpacked from Debian's linux-source tarball into a cache directory
 * ({@code <cache>/<release>/tree}) and prepared with the kernel's configuration and release
 * ({@code make KERNELRELEASE=... olddefconfig prepare}, as Debian builds it), so single compilation units compile
 * exactly as in the kernel build. Preparing takes a while, so a stamp records what the tree was made from and
 * later runs reuse it; a tree whose stamp does not match is discarded and made again.
 *
 * <p>One run at a time works on a tree: opening it takes the directory's lock, and it settles first whatever a
 * killed run left behind. A run that patches the tree writes a marker beside it first ({@link #APPLIED} for a fix
 * patchvisor applies and reverses itself, {@link #FOREIGN} for a tool that patches and edits the tree on its own);
 * a marker found on opening means that run never finished.
 */
public final class KernelSourceTree implements AutoCloseable {
    static final String STAMP = "prepared";
    /** A copy of the fix, present while it is applied to the tree. */
    static final String APPLIED = "applied.patch";
    /** Present while another tool (kpatch-build, klp-build) works in the tree. */
    static final String FOREIGN = "foreign-tool.running";
    private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration MAKE_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration PATCH_TIMEOUT = Duration.ofMinutes(2);

    private final Path dir;
    private final ProcessRunner processes;
    private final RunLock lock;

    private KernelSourceTree(Path dir, ProcessRunner processes, RunLock lock) {
        this.dir = dir;
        this.processes = processes;
        this.lock = lock;
    }

    /**
     * Takes the tree in {@code dir} ({@code <cache>/<release>}) for {@code operation}: fails at once with
     * StateLockedException while another run holds it, then repairs what a killed run left.
     */
    public static KernelSourceTree open(Path dir, ProcessRunner processes, String operation) throws IOException {
        Files.createDirectories(dir);
        RunLock lock = RunLock.acquire(dir, operation, Duration.ZERO);
        KernelSourceTree tree = new KernelSourceTree(dir, processes, lock);
        try {
            tree.recover();
            return tree;
        } catch (IOException | RuntimeException e) {
            try {
                lock.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public Path path() {
        return dir.resolve("tree");
    }

    Path dir() {
        return dir;
    }

    /**
     * Makes sure the tree is unpacked from {@code source} and prepared; returns warnings for the author (a compiler
     * other than the kernel's). Refuses a tarball whose version is not the kernel's.
     */
    public List<String> prepare(KernelSource source) throws IOException {
        String stamp = stampOf(source);
        Path stampFile = dir.resolve(STAMP);
        boolean ready = Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)
                && Files.isRegularFile(path().resolve("Makefile"));
        if (!ready) {
            discard();
            unpack(source.tarball());
        }
        String treeVersion = KernelSource.version(path().resolve("Makefile")).orElse("unknown");
        if (!treeVersion.equals(source.version())) {
            throw new BuildException(BuildException.Reason.REFUSED, source.tarball() + " holds Linux " + treeVersion
                    + ", but " + source.release() + " was built from " + source.version());
        }
        if (!ready) {
            Files.copy(source.config(), path().resolve(".config"), StandardCopyOption.REPLACE_EXISTING);
            make(source, List.of("olddefconfig"), "configuring");
            make(source, List.of("-j" + Runtime.getRuntime().availableProcessors(), "prepare"), "preparing");
            AtomicFiles.write(stampFile, stamp.getBytes(StandardCharsets.UTF_8));
        }
        List<String> warnings = new ArrayList<>();
        Optional<String> built = KernelSource.compilerOf(Files.readString(source.config(),
                StandardCharsets.ISO_8859_1));
        Optional<String> used = KernelSource.compilerOf(Files.readString(path().resolve(".config"),
                StandardCharsets.ISO_8859_1));
        if (built.isPresent() && used.isPresent() && !KernelSource.sameCompiler(built.get(), used.get())) {
            warnings.add("the kernel was built with " + built.get() + " but units compile with " + used.get()
                    + "; code may differ from the running kernel's");
        }
        return warnings;
    }

    /** Compiles {@code units} (.c files in the tree) afresh and copies each object to {@code out}. */
    public void compile(List<FixPatch.Touched> units, KernelSource source, Path out) throws IOException {
        if (units.isEmpty()) {
            return;
        }
        List<String> targets = new ArrayList<>();
        for (FixPatch.Touched unit : units) {
            Files.deleteIfExists(path().resolve(unit.object()));
            targets.add(unit.object());
        }
        List<String> args = new ArrayList<>(List.of("-j" + Runtime.getRuntime().availableProcessors(),
                "KCFLAGS=-ffunction-sections -fdata-sections"));
        args.addAll(targets);
        make(source, args, "compiling " + String.join(", ", targets) + " in");
        for (String object : targets) {
            Path target = out.resolve(object);
            Files.createDirectories(target.getParent());
            Files.copy(path().resolve(object), target, StandardCopyOption.REPLACE_EXISTING);
            // kbuild's record of the command says whether the unit was built for a module, and which.
            Path command = path().resolve(object).resolveSibling("." + target.getFileName() + ".cmd");
            if (Files.isRegularFile(command)) {
                Files.copy(command, target.resolveSibling(command.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Refuses, before anything changes, a fix that does not apply cleanly to the tree. */
    public void checkApplies(Path fix) throws IOException {
        ProcessRunner.Result result = patch(fix, false, true);
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.REFUSED, fix.getFileName() + " does not apply to the "
                    + "kernel source: " + firstLines(result));
        }
    }

    /** Applies {@code fix}, after leaving a copy of it beside the tree for {@link #recover()}. */
    public void apply(Path fix) throws IOException {
        Files.copy(fix, dir.resolve(APPLIED), StandardCopyOption.REPLACE_EXISTING);
        ProcessRunner.Result result = patch(dir.resolve(APPLIED), false, false);
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.REFUSED, fix.getFileName() + " does not apply to the "
                    + "kernel source: " + firstLines(result));
        }
    }

    /** Reverses the applied fix; a tree that will not reverse is discarded, to be made again. */
    public void revert() throws IOException {
        ProcessRunner.Result result = patch(dir.resolve(APPLIED), true, false);
        if (!result.ok()) {
            discard();
            Files.deleteIfExists(dir.resolve(APPLIED));
            throw new IOException("reversing the fix in " + path() + " failed (" + firstLines(result)
                    + "); the tree was discarded and will be made again");
        }
        Files.delete(dir.resolve(APPLIED));
    }

    /** Marks the tree as handed to another tool until {@link #handedBack(boolean)}. */
    public void handOver(Path fix) throws IOException {
        Files.copy(fix, dir.resolve(FOREIGN), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The other tool is done. A tree it did not finish with cleanly (it failed, or was stopped before its own
     * clean-up ran, having edited scripts and the config on the way), or left with the fix applied, is discarded.
     */
    public void handedBack(boolean finishedCleanly) throws IOException {
        if (!finishedCleanly || patch(dir.resolve(FOREIGN), true, true).ok()) {
            discard();
        }
        Files.delete(dir.resolve(FOREIGN));
    }

    /**
     * Settles what a killed run left: its fix is reversed, or, if it had not been applied yet, nothing is done;
     * a tree in any other state, or one another tool was working in, is discarded.
     */
    void recover() throws IOException {
        Path foreign = dir.resolve(FOREIGN);
        if (Files.exists(foreign)) {
            discard();
            Files.delete(foreign);
        }
        Path applied = dir.resolve(APPLIED);
        if (Files.exists(applied)) {
            boolean clean = Files.isDirectory(path()) && (patch(applied, true, true).ok()
                    ? patch(applied, true, false).ok() : patch(applied, false, true).ok());
            if (!clean) {
                discard();
            }
            Files.delete(applied);
        }
    }

    /** Removes the tree and its stamp (a tree in an unknown state is made again from the tarball). */
    public void discard() throws IOException {
        Files.deleteIfExists(dir.resolve(STAMP));
        for (String leftover : List.of("tree", "unpack")) {
            Path p = dir.resolve(leftover);
            if (Files.exists(p)) {
                ProcessRunner.Result rm = processes.run(List.of("rm", "-rf", "--", p.toString()), UNPACK_TIMEOUT);
                if (!rm.ok()) {
                    throw new IOException("cannot remove " + p + ": " + rm.stderr().strip());
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }

    private ProcessRunner.Result patch(Path fix, boolean reverse, boolean dryRun) throws IOException {
        // --forward in both directions: without it patch "ignores -R" on a tree the fix is not applied to, and a
        // reversal would apply the fix instead.
        List<String> argv = new ArrayList<>(List.of("patch", "-d", path().toString(), "-p1", "--batch",
                "--no-backup-if-mismatch", "--reject-file=-", "--forward", "-i", fix.toAbsolutePath().toString()));
        if (reverse) {
            argv.add("--reverse");
        }
        if (dryRun) {
            argv.add("--dry-run");
        }
        return processes.run(argv, PATCH_TIMEOUT);
    }

    private void unpack(Path tarball) throws IOException {
        Path unpack = Files.createDirectories(dir.resolve("unpack"));
        ProcessRunner.Result tar = processes.run(List.of("tar", "-xf", tarball.toString(), "-C", unpack.toString()),
                UNPACK_TIMEOUT);
        if (!tar.ok()) {
            throw new BuildException(BuildException.Reason.REFUSED, "cannot unpack " + tarball + ": "
                    + tar.stderr().strip().lines().findFirst().orElse("tar failed"));
        }
        List<Path> top;
        try (Stream<Path> entries = Files.list(unpack)) {
            top = entries.toList();
        }
        if (top.size() != 1 || !Files.isRegularFile(top.get(0).resolve("Makefile"))) {
            throw new BuildException(BuildException.Reason.REFUSED, tarball
                    + " is not a kernel source tarball (expected one top directory with a Makefile)");
        }
        Files.move(top.get(0), path());
        Files.delete(unpack);
    }

    /** make in the tree with the kernel's compiler and release (Debian sets KERNELRELEASE, not SUBLEVEL). */
    private void make(KernelSource source, List<String> args, String what) throws IOException {
        List<String> argv = new ArrayList<>(List.of("make", "-s", "-C", path().toString(), "CC=" + source.compiler(),
                "KERNELRELEASE=" + source.release()));
        argv.addAll(args);
        ProcessRunner.Result result = processes.run(argv, MAKE_TIMEOUT);
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.COMPILE, what + " the kernel source in " + path()
                    + " failed: " + CompilerMessages.firstErrors(result));
        }
    }

    private static String stampOf(KernelSource source) throws IOException {
        return "source=" + source.tarball().toAbsolutePath() + " size=" + Files.size(source.tarball())
                + " mtime=" + Files.getLastModifiedTime(source.tarball()).toMillis() + "\n"
                + "config-sha256=" + Sha256.of(source.config()) + "\n"
                + "compiler=" + source.compiler() + "\nrelease=" + source.release() + "\n";
    }

    private static String firstLines(ProcessRunner.Result result) {
        return (result.stdout() + "\n" + result.stderr()).strip().lines().limit(2)
                .reduce((a, b) -> a + " | " + b).orElse("patch failed");
    }
}
