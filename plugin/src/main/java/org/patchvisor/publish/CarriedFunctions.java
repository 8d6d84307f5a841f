package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which functions of one unit a live patch carries, and which of those replace the kernel's. Every changed or new
 * function is carried; a changed one replaces its old copy. A {@code .cold} part is code gcc split off a function
 * and reaches only by jumps from it: it has no ftrace entry of its own, so a change in it is carried by replacing
 * the function it belongs to, and it travels with that function.
 *
 * @param carried  the symbol names, in the build with the fix, of the functions to carry
 * @param replaced for each carried function that replaces one of the kernel's: its name with the fix to its name
 *                 without it
 * @param problems what cannot be carried, one line each
 */
record CarriedFunctions(Set<String> carried, Map<String, String> replaced, List<String> problems) {
    CarriedFunctions {
        carried = Collections.unmodifiableSet(new LinkedHashSet<>(carried));
        replaced = Collections.unmodifiableMap(new LinkedHashMap<>(replaced));
        problems = List.copyOf(problems);
    }

    /** The functions carried for {@code deltas} (the changed and added functions of one unit). */
    static CarriedFunctions of(String unit, List<FunctionDelta> deltas, ObjectImage pre, ObjectImage post) {
        Set<String> carried = new LinkedHashSet<>();
        Map<String, String> replaced = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (FunctionDelta d : deltas) {
            carried.add(d.postName());
            if (!d.cold()) {
                if (!d.preName().isEmpty()) {
                    replaced.put(d.postName(), d.preName());
                }
                continue;
            }
            CodeItem before = pre.functions().get(d.parent());
            CodeItem after = post.functions().get(d.parent());
            if (after == null) {
                problems.add(unit + ": " + d.postName() + " changed, but the function it belongs to, " + d.parent()
                        + ", is not in the build with the fix");
                continue;
            }
            carried.add(after.name());
            if (before != null) {
                replaced.put(after.name(), before.name());
            }
        }
        return new CarriedFunctions(carried, replaced, problems);
    }
}
