package org.patchvisor.publish;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The descriptors of pr_debug and dev_dbg call sites under {@code CONFIG_DYNAMIC_DEBUG} ({@code struct _ddebug} in
 * {@code __dyndbg}: module, function, file, format, line, flags and the static key that turns the site on), one
 * for each call site, owned by the function that prints with it. A fix that changes the text of a pr_debug changes
 * its descriptor; the change belongs to that function, which the patch replaces, and the descriptor travels with
 * it as new data (in the patch's own {@code __dyndbg}, which the module loader registers under the patch's name).
 * The comparison and the extraction both ask here which descriptors that applies to.
 */
final class DebugDescriptors {
    static final String SECTION = "__dyndbg";

    private DebugDescriptors() {
    }

    /** True for an item of {@code __dyndbg}. */
    static boolean is(CodeItem item) {
        return item.section().equals(SECTION);
    }

    /**
     * The descriptors (keys) that differ between the builds only in their contents, each owned by one function
     * ({@code owner/name}, see {@link ObjectImage}), with the functions of the build with the fix (keys) whose code
     * uses it: that function's clones and {@code .cold} parts that refer to a descriptor.
     */
    static Map<String, Set<String>> changed(ObjectImage pre, ObjectImage post) {
        Map<String, Set<String>> changed = new LinkedHashMap<>();
        for (Map.Entry<String, CodeItem> e : post.data().entrySet()) {
            CodeItem after = e.getValue();
            CodeItem before = pre.data().get(e.getKey());
            Optional<String> owner = ObjectImage.ownerInKey(e.getKey());
            if (before == null || !is(before) || !is(after) || owner.isEmpty() || before.size() != after.size()
                    || before.sameContents(after)) {
                continue;
            }
            String target = SymbolNames.normalise(after.name());
            Set<String> users = new LinkedHashSet<>();
            post.functions().forEach((key, f) -> {
                if (ObjectImage.ownerOf(key).equals(owner.get())
                        && f.relocations().stream().anyMatch(r -> r.target().equals(target))) {
                    users.add(key);
                }
            });
            if (!users.isEmpty()) {
                changed.put(e.getKey(), users);
            }
        }
        return changed;
    }
}
