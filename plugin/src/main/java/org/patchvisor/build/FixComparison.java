package org.patchvisor.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.spi.ProcessRunner;

/**
 * Compiles the units an upstream fix touches twice in the kernel's own prepared source, without and with the fix,
 * and compares the two builds: the .c files it changes that this kernel builds (kbuild says, {@link KbuildObjects}),
 * and the units that include a header it changes ({@link HeaderDependents}). The tree is shared between runs, so the fix is applied only for the second compile
 * and reversed at once (a run killed meanwhile is repaired by the next, see {@link KernelSourceTree}). The objects
 * of the last comparison stay in {@code objects/pre} and {@code objects/post} for {@code patchvisor diff}.
 */
public final class FixComparison {
    /** More units than this including a changed header are not all compiled twice: the author names them. */
    static final int MAX_HEADER_DEPENDENTS = 40;
    private final Path dir;
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
        this.processes = processes;
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
        Map<String, FixPatch.Touched> units = new LinkedHashMap<>();
        fix.units().forEach(u -> units.put(u.path(), u));
        for (String extra : extraUnits) {
            if (!FixPatch.insideTree(extra) || !extra.endsWith(".c")) {
                throw new BuildException(BuildException.Reason.REFUSED, "--unit " + extra
                        + " is not a .c file of the kernel tree (give its path relative to the tree)");
            }
            units.putIfAbsent(extra, new FixPatch.Touched(extra, true, true));
        }
        List<String> warnings = new ArrayList<>(tree.prepare(source));
        tree.checkApplies(fix.file());
        KbuildObjects kbuild = new KbuildObjects(tree.path(), tree.dir(), processes, source);
        for (FixPatch.Touched unit : List.copyOf(units.values())) {
            // Upstream fixes often touch units this configuration leaves out (nommu, other architectures).
            if (unit.before() && !kbuild.builds(unit.path()).orElse(true)) {
                units.remove(unit.path());
                warnings.add(unit.path() + " is not built for this kernel (its configuration leaves it out): "
                        + "not compared");
            }
        }
        HeaderDependents headers = new HeaderDependents(tree.path(), processes, kbuild);
        for (FixPatch.Touched other : fix.others()) {
            if (!other.path().endsWith(".h")) {
                warnings.add("the fix changes " + other.path() + ", which is not code a live patch can carry");
            } else if (other.before()) {
                // A header the fix adds is included only by units the fix changes itself.
                // Asking kbuild about a directory takes a make run: not for a header half the kernel includes.
                warnings.addAll(addDependents(headers.find(other.path(), 5 * MAX_HEADER_DEPENDENTS), units));
            }
        }
        if (units.isEmpty()) {
            throw new BuildException(BuildException.Reason.REFUSED, fix.file().getFileName() + " changes no "
                    + "compilation unit this kernel builds; name the .c files that include what it changes with "
                    + "--unit");
        }
        for (FixPatch.Touched unit : units.values()) {
            if (unit.before() && !Files.isRegularFile(tree.path().resolve(unit.path()))) {
                throw new BuildException(BuildException.Reason.REFUSED, unit.path()
                        + " is not a file of the kernel source");
            }
        }
        Path objects = tree.dir().resolve("objects");
        ScratchDirs.reset(objects);
        tree.compile(units.values().stream().filter(FixPatch.Touched::before).toList(), source,
                objects.resolve("pre"));
        tree.apply(fix.file());
        try {
            tree.compile(units.values().stream().filter(FixPatch.Touched::after).toList(), source,
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
        return new Result(BuildComparison.compare(objects.resolve("pre"), objects.resolve("post")), warnings,
                objects);
    }

    /** Adds the units that include a changed header to those compared, unless there are too many; says what it did. */
    private static List<String> addDependents(HeaderDependents.Found found, Map<String, FixPatch.Touched> units) {
        String header = "the fix changes " + found.header();
        String rest = "; units that include it through other headers are compared only when named with --unit, and "
                + "a changed structure layout cannot be carried by a live patch";
        List<String> warnings = new ArrayList<>();
        if (!found.narrowed() || found.units().size() > MAX_HEADER_DEPENDENTS) {
            warnings.add(header + ", which " + (found.narrowed() ? found.units().size() + " units of this kernel"
                    : found.includers() + " units of the source") + " include directly: too many to compare; name "
                    + "the ones that matter with --unit" + rest);
        } else if (found.units().isEmpty()) {
            warnings.add(header + ", which no unit of this kernel includes directly" + rest);
        } else {
            found.units().forEach(u -> units.putIfAbsent(u, new FixPatch.Touched(u, true, true)));
            warnings.add(header + ": compared with it the " + found.units().size() + " unit(s) of this kernel that "
                    + "include it directly (" + String.join(", ", found.units()) + ")" + rest);
        }
        if (!found.unreadable().isEmpty()) {
            warnings.add("kbuild could not read the Makefile of " + String.join(", ", found.unreadable())
                    + ": units there that include " + found.header() + " were not compared");
        }
        return warnings;
    }
}
