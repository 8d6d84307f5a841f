package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * Compiles the units an upstream fix touches twice in the kernel's own prepared source, without and with the fix,
 * and compares the two builds ({@link ComparedUnits} says which units). The tree is shared between runs, so the fix
 * is applied only for the second compile and reversed at once (a run killed meanwhile is repaired by the next, see
 * {@link KernelSourceTree}). The objects of the last comparison stay in {@code objects/pre} and
 * {@code objects/post} for {@code patchvisor diff}. Each step is timed on the injected ticker.
 */
public final class FixComparison {
    private final Path dir;
    private final ProcessRunner processes;
    private final Ticker ticker;

    /**
     * The time of each step: {@code compile} from preparing the tree (when it is not cached) to the second compile
     * reversed, {@code compare} reading and comparing the two builds' objects.
     */
    public record Steps(Duration compile, Duration compare) {
        /** For a comparison that was not timed (a stand-in). */
        public static final Steps UNTIMED = new Steps(Duration.ZERO, Duration.ZERO);
    }

    /**
     * The comparison and what the author should know: touched files it could not compare, compiler warnings
     * ({@code warnings}), and units compared through others ({@code notes}); the time it took ({@code steps}).
     */
    public record Result(DiffReport report, List<String> warnings, List<String> notes, Path objects, Steps steps) {
        public Result {
            warnings = List.copyOf(warnings);
            notes = List.copyOf(notes);
        }
    }

    /** {@code dir} is the release's cache directory ({@code <cache>/<release>}). */
    public FixComparison(Path dir, ProcessRunner processes, Ticker ticker) {
        this.dir = dir;
        this.processes = processes;
        this.ticker = ticker;
    }

    /**
     * Runs the comparison for {@code fix} on the kernel {@code source} describes; {@code extraUnits} are further
     * .c files to compare (units that include a header the fix changes).
     */
    public Result compare(FixPatch fix, KernelSource source, List<String> extraUnits) throws IOException {
        try (KernelSourceTree tree = KernelSourceTree.open(dir, processes, "check-fix")) {
            return compare(tree, fix, source, extraUnits);
        }
    }

    /** The same on a tree the caller holds (so that a build that follows works on the tree it compared). */
    public Result compare(KernelSourceTree tree, FixPatch fix, KernelSource source, List<String> extraUnits)
            throws IOException {
        ComparedUnits.refuseOutsideTheTree(extraUnits);
        long started = ticker.nanoTime();
        List<String> warnings = new ArrayList<>(tree.prepare(source));
        tree.checkApplies(fix.file());
        KbuildObjects kbuild = new KbuildObjects(tree.path(), tree.dir(), processes, source);
        ComparedUnits selected = ComparedUnits.select(fix, extraUnits, kbuild,
                new HeaderDependents(tree.path(), processes, kbuild));
        warnings.addAll(selected.warnings());
        List<FixPatch.Touched> units = selected.units();
        if (units.isEmpty()) {
            throw new BuildException(BuildException.Reason.REFUSED, fix.file().getFileName() + " changes no "
                    + "compilation unit this kernel builds; name the .c files that include what it changes with "
                    + "--unit" + (selected.warnings().isEmpty() ? "" : " (" + String.join("; ", selected.warnings())
                    + ")"));
        }
        for (FixPatch.Touched unit : units) {
            if (unit.before() && !Files.isRegularFile(tree.path().resolve(unit.path()))) {
                throw new BuildException(BuildException.Reason.REFUSED, unit.path()
                        + " is not a file of the kernel source");
            }
        }
        Path objects = tree.dir().resolve("objects");
        ScratchDirs.reset(objects);
        tree.compile(units.stream().filter(FixPatch.Touched::before).toList(), source,
                objects.resolve("pre"));
        tree.apply(fix.file());
        try {
            tree.compile(units.stream().filter(FixPatch.Touched::after).toList(), source,
                    objects.resolve("post"));
        } catch (IOException | RuntimeException e) {
            try {
                tree.revert();
            } catch (IOException reversing) {
                e.addSuppressed(reversing);
            }
            throw e;
        }
        tree.revert();
        Files.createDirectories(objects.resolve("pre"));
        Files.createDirectories(objects.resolve("post"));
        long compiled = ticker.nanoTime();
        DiffReport report = compareObjects(objects);
        return new Result(report, warnings, selected.notes(), objects, new Steps(Duration.ofNanos(compiled - started),
                Duration.ofNanos(ticker.nanoTime() - compiled)));
    }

    /**
     * Compares {@code objects/pre} with {@code objects/post}. A malformed object is a refusal of the build, one
     * line naming the file, like anything else a live patch cannot be made from.
     */
    static DiffReport compareObjects(Path objects) throws IOException {
        try {
            return BuildComparison.compare(objects.resolve("pre"), objects.resolve("post"));
        } catch (ElfFormatException e) {
            throw new BuildException(BuildException.Reason.REFUSED, "malformed object: " + e.getMessage());
        }
    }
}
