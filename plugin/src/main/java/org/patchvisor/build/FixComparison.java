package org.patchvisor.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.state.RunLock;

/**
 * Compiles the units an upstream fix touches twice in the kernel's own prepared source, without and with the fix,
 * and compares the two builds. The tree is shared between runs, so the fix is applied only for the second compile
 * and reversed at once; a copy of it is written beside the tree first, so a run killed while the tree is patched
 * is noticed by the next one, which reverses it (or, when that is impossible, makes the tree again). The objects
 * of the last comparison stay in {@code objects/pre} and {@code objects/post} for {@code patchvisor diff}.
 */
public final class FixComparison {
    static final String APPLIED = "applied.patch";
    private static final Duration PATCH_TIMEOUT = Duration.ofMinutes(2);
    private final Path dir;
    private final KernelSourceTree tree;
    private final ProcessRunner processes;

    /** The comparison and what the author should know: touched files it could not compare, compiler warnings. */
    public record Result(DiffReport report, List<String> warnings, Path objects) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    /** {@code dir} is the release's cache directory ({@code <cache>/<release>}). */
    public FixComparison(Path dir, ProcessRunner processes) {
        this.dir = dir;
        this.tree = new KernelSourceTree(dir, processes);
        this.processes = processes;
    }

    /**
     * Runs the comparison for {@code fix} on the kernel described by {@code inputs}; {@code extraUnits} are further
     * .c files to compare (units that include a header the fix changes).
     */
    public Result compare(FixPatch fix, KernelSourceTree.Inputs inputs, List<String> extraUnits) throws IOException {
        Files.createDirectories(dir);
        try (RunLock lock = RunLock.acquire(dir, "check-fix", Duration.ZERO)) {
            recover();
            List<String> warnings = new ArrayList<>(tree.prepare(inputs));
            Map<String, FixPatch.Touched> units = new LinkedHashMap<>();
            fix.units().forEach(u -> units.put(u.path(), u));
            for (String extra : extraUnits) {
                if (!extra.endsWith(".c") || !Files.isRegularFile(tree.path().resolve(extra))) {
                    throw new BuildException(BuildException.Reason.REFUSED, "--unit " + extra
                            + " is not a .c file of the kernel source");
                }
                units.putIfAbsent(extra, new FixPatch.Touched(extra, true, true));
            }
            for (FixPatch.Touched other : fix.others()) {
                warnings.add(other.path().endsWith(".h")
                        ? "the fix changes " + other.path() + ": units that include it are compared only when named "
                        + "with --unit, and a changed structure layout cannot be carried by a live patch"
                        : "the fix changes " + other.path() + ", which is not code a live patch can carry");
            }
            patch(fix.file(), false, true);
            Path objects = dir.resolve("objects");
            resetDirectory(objects);
            tree.compile(units.values().stream().filter(FixPatch.Touched::before).toList(), inputs.compiler(),
                    objects.resolve("pre"));
            Files.copy(fix.file(), dir.resolve(APPLIED), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            patch(fix.file(), false, false);
            try {
                tree.compile(units.values().stream().filter(FixPatch.Touched::after).toList(), inputs.compiler(),
                        objects.resolve("post"));
            } finally {
                patch(dir.resolve(APPLIED), true, false);
                Files.delete(dir.resolve(APPLIED));
            }
            Files.createDirectories(objects.resolve("pre"));
            Files.createDirectories(objects.resolve("post"));
            return new Result(BuildComparison.compare(objects.resolve("pre"), objects.resolve("post")), warnings,
                    objects);
        }
    }

    /**
     * A fix left applied by a killed run is reversed; a fix it had not applied yet leaves nothing to do; a tree in
     * any other state (a fix half applied) is made again.
     */
    void recover() throws IOException {
        Path applied = dir.resolve(APPLIED);
        if (!Files.exists(applied)) {
            return;
        }
        boolean clean = Files.isDirectory(tree.path())
                && (run(applied, true, true).ok() ? run(applied, true, false).ok() : run(applied, false, true).ok());
        if (!clean) {
            tree.discard();
        }
        Files.delete(applied);
    }

    private void patch(Path fix, boolean reverse, boolean dryRun) throws IOException {
        ProcessRunner.Result result = run(fix, reverse, dryRun);
        if (!result.ok()) {
            String why = (result.stdout() + "\n" + result.stderr()).strip().lines().limit(2)
                    .reduce((a, b) -> a + " | " + b).orElse("patch failed");
            if (reverse) {
                tree.discard();
                throw new IOException("reversing " + fix + " in " + tree.path() + " failed (" + why
                        + "); the tree was discarded and will be made again");
            }
            throw new BuildException(BuildException.Reason.REFUSED, fix.getFileName() + " does not apply to the "
                    + "kernel source: " + why);
        }
    }

    private ProcessRunner.Result run(Path fix, boolean reverse, boolean dryRun) throws IOException {
        List<String> argv = new ArrayList<>(List.of("patch", "-d", tree.path().toString(), "-p1", "--batch",
                "--no-backup-if-mismatch", "--reject-file=-", "-i", fix.toAbsolutePath().toString()));
        // --forward in both directions: without it patch "ignores -R" on a tree the fix is not applied to, and a
        // reversal would apply the fix instead.
        argv.add("--forward");
        if (reverse) {
            argv.add("--reverse");
        }
        if (dryRun) {
            argv.add("--dry-run");
        }
        return processes.run(argv, PATCH_TIMEOUT);
    }

    private void resetDirectory(Path objects) throws IOException {
        if (Files.exists(objects)) {
            try (var walk = Files.walk(objects)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(objects);
    }
}
