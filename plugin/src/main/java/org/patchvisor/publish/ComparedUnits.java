package org.patchvisor.publish;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which compilation units a fix check compiles twice, worked out on the prepared tree before anything is compiled:
 * <ul>
 *   <li>the .c files the fix touches that this kernel builds, as kbuild says ({@link KbuildObjects}); a touched
 *   .c file kbuild does not build but another built unit includes ({@code kernel/sched/fair.c} is compiled
 *   inside {@code build_policy.c}) is compared through that unit, and one nothing builds (a nommu file, another
 *   architecture's) is left out with a warning;</li>
 *   <li>for each header the fix changes, the built units that include it directly ({@link HeaderDependents}),
 *   unless there are more than {@link #MAX_DEPENDENTS};</li>
 *   <li>every {@code --unit} the author names.</li>
 * </ul>
 */
final class ComparedUnits {
    /** More units than this including a changed file are not all compiled twice: the author names them. */
    static final int MAX_DEPENDENTS = 40;
    /** Past this many includers kbuild is not asked about each: a make run per directory adds up. */
    static final int MAX_ASKED = 5 * MAX_DEPENDENTS;

    private final Map<String, FixPatch.Touched> units = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private ComparedUnits() {
    }

    /** The selection for {@code fix} and the author's {@code extraUnits} on a prepared tree. */
    static ComparedUnits select(FixPatch fix, List<String> extraUnits, KbuildObjects kbuild, HeaderDependents headers)
            throws IOException {
        refuseOutsideTheTree(extraUnits);
        ComparedUnits selected = new ComparedUnits();
        for (FixPatch.Touched unit : fix.units()) {
            // Upstream fixes often touch units this configuration leaves out (nommu, other architectures).
            if (unit.before() && !kbuild.builds(unit.path()).orElse(true)) {
                selected.addIncluders(headers.find(unit.path(), MAX_ASKED));
            } else {
                selected.units.putIfAbsent(unit.path(), unit);
            }
        }
        extraUnits.forEach(u -> selected.units.putIfAbsent(u, new FixPatch.Touched(u, true, true)));
        for (FixPatch.Touched other : fix.others()) {
            if (!other.path().endsWith(".h")) {
                selected.warnings.add("the fix changes " + other.path() + ", which is not code a live patch can carry");
            } else if (other.before()) {
                // A header the fix adds is included only by units the fix changes itself.
                selected.addDependents(headers.find(other.path(), MAX_ASKED));
            }
        }
        return selected;
    }

    /** Refuses, before anything runs, a {@code --unit} that is not a .c file inside the tree. */
    static void refuseOutsideTheTree(List<String> extraUnits) throws BuildException {
        for (String extra : extraUnits) {
            if (!FixPatch.insideTree(extra) || !extra.endsWith(".c")) {
                throw new BuildException(BuildException.Reason.REFUSED, "--unit " + extra
                        + " is not a .c file of the kernel tree (give its path relative to the tree)");
            }
        }
    }

    List<FixPatch.Touched> units() {
        return List.copyOf(units.values());
    }

    /** What the author should be warned about: files not compared, changes a live patch cannot carry. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** What was compared in another way than the fix says: units compiled as part of another. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /** A touched .c file kbuild does not build: compared in the built units that include it, if any. */
    private void addIncluders(HeaderDependents.Found found) {
        String unit = found.header();
        if (found.narrowed() && !found.units().isEmpty() && found.units().size() <= MAX_DEPENDENTS) {
            found.units().forEach(u -> units.putIfAbsent(u, new FixPatch.Touched(u, true, true)));
            notes.add(unit + " is compiled as part of " + String.join(", ", found.units()) + ": compared there");
        } else {
            warnings.add(unit + " is not built for this kernel (its configuration leaves it out): not compared");
        }
        unreadable(found);
    }

    /** Adds the units that include a changed header, unless there are too many; says what it did. */
    private void addDependents(HeaderDependents.Found found) {
        String header = "the fix changes " + found.header();
        String rest = "; units that include it through other headers are compared only when named with --unit, and "
                + "a changed structure layout cannot be carried by a live patch";
        if (!found.narrowed() || found.units().size() > MAX_DEPENDENTS) {
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
        unreadable(found);
    }

    private void unreadable(HeaderDependents.Found found) {
        if (!found.unreadable().isEmpty()) {
            warnings.add("kbuild could not read the Makefile of " + String.join(", ", found.unreadable())
                    + ": units there that include " + found.header() + " were not compared");
        }
    }
}
