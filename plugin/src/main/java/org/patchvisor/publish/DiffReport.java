package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The result of comparing two builds: changed, added and removed functions, data objects that appeared or went
 * away, and the differences a live patch cannot carry. A function whose machine code changed only because a
 * callee inlined into it changed is listed as changed too: the comparison sees code, and such a caller has to
 * be replaced just the same.
 */
public record DiffReport(List<FunctionDelta> changed, List<FunctionDelta> added, List<FunctionDelta> removed,
                         List<String> addedData, List<String> removedData, List<Uncarriable> uncarriable) {

    public DiffReport {
        changed = List.copyOf(changed);
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        addedData = List.copyOf(addedData);
        removedData = List.copyOf(removedData);
        uncarriable = List.copyOf(uncarriable);
    }

    public static DiffReport empty() {
        return new DiffReport(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public DiffReport plus(DiffReport other) {
        return new DiffReport(join(changed, other.changed), join(added, other.added), join(removed, other.removed),
                join(addedData, other.addedData), join(removedData, other.removedData),
                join(uncarriable, other.uncarriable));
    }

    /**
     * Normalised names of the changed functions: what a live patch must replace. A changed {@code .cold} part
     * names its parent, the function that is hooked to carry it.
     */
    public Set<String> changedFunctionNames() {
        Set<String> names = new TreeSet<>();
        changed.forEach(d -> names.add(stripDuplicateTag(d.parent())));
        return names;
    }

    public boolean hasChanges() {
        return !changed.isEmpty() || !added.isEmpty() || !removed.isEmpty() || !uncarriable.isEmpty()
                || !addedData.isEmpty() || !removedData.isEmpty();
    }

    static String stripDuplicateTag(String key) {
        int hash = key.indexOf('#');
        return hash < 0 ? key : key.substring(0, hash);
    }

    private static <T> List<T> join(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
