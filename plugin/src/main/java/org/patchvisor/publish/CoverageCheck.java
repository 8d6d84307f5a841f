package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a live patch against the comparison of the kernel built without and with the fix it is meant to carry:
 * every function the fix changed must be replaced (a missed caller that inlined a changed helper is the classic
 * wrong live patch), and whatever a live patch cannot carry is a warning for the author to judge.
 */
public final class CoverageCheck {

    private CoverageCheck() {
    }

    /** Missing replacements in name order (the check fails when not empty) and warnings. */
    public record Result(Set<String> missing, List<String> warnings) {
        public Result {
            missing = Collections.unmodifiableSortedSet(new TreeSet<>(missing));
            warnings = List.copyOf(warnings);
        }

        public boolean covered() {
            return missing.isEmpty();
        }
    }

    public static Result check(DiffReport fix, LivePatchManifest manifest) {
        Set<String> replaced = manifest.replacedFunctions();
        Set<String> missing = new TreeSet<>(fix.changedFunctionNames());
        missing.removeAll(replaced);
        List<String> warnings = new ArrayList<>();
        for (Uncarriable u : fix.uncarriable()) {
            warnings.add(u.file() + " " + u.symbol() + ": " + u.kind().name().toLowerCase().replace('_', ' ')
                    + ": " + u.detail());
        }
        for (FunctionDelta d : fix.added()) {
            warnings.add(d.file() + " " + d.function() + ": new function, the live patch must carry it itself");
        }
        for (FunctionDelta d : fix.removed()) {
            if (!replaced.contains(d.function())) {
                warnings.add(d.file() + " " + d.function() + ": removed by the fix; its callers must be replaced");
            }
        }
        Set<String> changed = fix.changedFunctionNames();
        for (String r : replaced) {
            if (!changed.contains(r)) {
                warnings.add(r + ": replaced by the live patch but not changed by the fix");
            }
        }
        return new Result(missing, warnings);
    }
}
