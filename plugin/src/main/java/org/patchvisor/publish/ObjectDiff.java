package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.patchvisor.elf.ElfFile;

/**
 * Compares the functions and data of two builds of one object file. Functions are matched by normalised name,
 * so gcc renaming a clone ({@code foo.isra.0} to {@code foo.isra.1}) or renumbering a local static is not a
 * change; bytes are compared with relocated fields masked and relocations compared by target, so code that
 * only moved is not a change either.
 *
 * <p>Names the kernel's macros number with {@code __COUNTER__} match once the number is dropped
 * ({@link SymbolNames}), and in x86-64 code a function that differs only in the {@code __LINE__} it passes to a
 * reporting call such as {@code __might_sleep} is no change either ({@link ReportingLines}).
 *
 * <p>A function also changes when only the special-section entries describing its code do ({@link TableEntries}):
 * an alternative's CPU feature, an exception-table fixup type; and when only the descriptor of one of its pr_debug
 * call sites does ({@link DebugDescriptors}): the new text travels with the function, and the descriptor is no
 * change of existing data.
 *
 * <p>A changed x86-64 function that ftrace cannot hook ({@link CodeItem#traceable()}) is refused as
 * {@link Uncarriable.Kind#NOTRACE}: the livepatch core redirects a function through its ftrace entry. A
 * {@code .cold} part has none and needs none; it is refused only when the function it belongs to cannot be
 * hooked. An added function needs no ftrace entry either.
 */
public final class ObjectDiff {

    private ObjectDiff() {
    }

    public static DiffReport compare(String file, ObjectImage pre, ObjectImage post) {
        List<FunctionDelta> changed = new ArrayList<>();
        List<FunctionDelta> added = new ArrayList<>();
        List<FunctionDelta> removed = new ArrayList<>();
        List<Uncarriable> uncarriable = new ArrayList<>();
        boolean x86 = pre.machine() == ElfFile.EM_X86_64;
        Map<String, Set<String>> descriptors = DebugDescriptors.changed(pre, post);
        Set<String> printing = new HashSet<>();
        descriptors.values().forEach(printing::addAll);
        for (Map.Entry<String, CodeItem> e : pre.functions().entrySet()) {
            CodeItem before = e.getValue();
            CodeItem after = post.functions().get(e.getKey());
            if (after == null) {
                if (!before.init()) {
                    removed.add(new FunctionDelta(file, e.getKey(), before.name(), "", before.local()));
                }
            } else if (codeChanged(x86, before, after) || !pre.tableEntriesOf(e.getKey())
                    .equals(post.tableEntriesOf(e.getKey())) || printing.contains(e.getKey())) {
                String unhookable = x86 ? unhookable(pre, e.getKey(), before) : null;
                if (before.init() || after.init()) {
                    uncarriable.add(new Uncarriable(file, e.getKey(), Uncarriable.Kind.INIT_CODE,
                            "init function " + after.name() + " in " + after.section() + " changed"));
                } else if (unhookable != null) {
                    uncarriable.add(new Uncarriable(file, e.getKey(), Uncarriable.Kind.NOTRACE, unhookable));
                } else if (!droppedStatics(pre, post, e.getKey()).isEmpty()) {
                    uncarriable.add(new Uncarriable(file, e.getKey(), Uncarriable.Kind.STATIC_LOCAL, after.name()
                            + " no longer refers to its static " + String.join(", ", droppedStatics(pre, post,
                            e.getKey())) + ": the state the kernel keeps there would not follow the new code"));
                } else {
                    changed.add(new FunctionDelta(file, e.getKey(), before.name(), after.name(), after.local()));
                }
            }
        }
        for (Map.Entry<String, CodeItem> e : post.functions().entrySet()) {
            if (!pre.functions().containsKey(e.getKey())) {
                CodeItem after = e.getValue();
                if (after.init()) {
                    uncarriable.add(new Uncarriable(file, e.getKey(), Uncarriable.Kind.INIT_CODE,
                            "init function " + after.name() + " in " + after.section() + " added"));
                } else {
                    added.add(new FunctionDelta(file, e.getKey(), "", after.name(), after.local()));
                }
            }
        }
        List<String> addedData = new ArrayList<>();
        List<String> removedData = new ArrayList<>();
        for (Map.Entry<String, CodeItem> e : pre.data().entrySet()) {
            CodeItem before = e.getValue();
            CodeItem after = post.data().get(e.getKey());
            if (after == null) {
                removedData.add(file + ":" + e.getKey());
            } else if (before.size() != after.size()) {
                uncarriable.add(new Uncarriable(file, e.getKey(), before.init() ? Uncarriable.Kind.INIT_CODE
                        : Uncarriable.Kind.DATA_LAYOUT, after.name() + " in " + after.section() + " changed size "
                        + before.size() + " -> " + after.size() + " bytes"));
            } else if (!before.sameContents(after) && !descriptors.containsKey(e.getKey())) {
                uncarriable.add(new Uncarriable(file, e.getKey(), before.init() ? Uncarriable.Kind.INIT_CODE
                        : Uncarriable.Kind.STATIC_DATA, after.name() + " in " + after.section()
                        + " changed its initial contents"));
            }
        }
        for (String key : post.data().keySet()) {
            if (!pre.data().containsKey(key)) {
                addedData.add(file + ":" + key);
            }
        }
        uncarriable.addAll(AddedDeclarations.added(file, pre, post));
        return new DiffReport(changed, added, removed, addedData, removedData, uncarriable);
    }

    private static boolean codeChanged(boolean x86, CodeItem before, CodeItem after) {
        return !before.sameContents(after) && !(x86 && ReportingLines.onlyLinesDiffer(before, after));
    }

    /** Why the changed pre-build function keyed {@code key} cannot be hooked, or null when it can. */
    private static String unhookable(ObjectImage pre, String key, CodeItem before) {
        if (!before.cold()) {
            return before.traceable() ? null : untraced(before);
        }
        CodeItem parent = pre.functions().get(SymbolNames.parentOf(key));
        if (parent == null || parent.traceable()) {
            return null;
        }
        return "the cold part " + before.name() + " belongs to " + untraced(parent);
    }

    private static String untraced(CodeItem function) {
        String why = function.inUntracedSection() ? "is in " + function.section() + ", which ftrace never patches"
                : "does not start with a call to __fentry__ (notrace, or built without -pg -mfentry)";
        return function.name() + ", which " + why;
    }

    /**
     * The function-scope statics of {@code key} (keyed {@code owner/name} in the build without the fix, the owner
     * being the source function a clone or {@code .cold} part was made from) that the old code refers to and the new code does not: a
     * sign the fix renamed or replaced one, whose running value the patch could not carry over. The code of a
     * function is read with its clones and {@code .cold} parts, since gcc moves a use between them as the fix
     * reshapes it.
     */
    private static List<String> droppedStatics(ObjectImage pre, ObjectImage post, String key) {
        String owner = ObjectImage.ownerOf(key);
        Set<String> before = targets(pre, owner);
        Set<String> now = targets(post, owner);
        List<String> dropped = new ArrayList<>();
        for (String data : pre.data().keySet()) {
            // A pr_debug the fix removes leaves nothing behind that the new code would need.
            if (data.startsWith(owner + "/") && !DebugDescriptors.is(pre.data().get(data))) {
                String name = data.substring(owner.length() + 1);
                if (before.contains(name) && !now.contains(name)) {
                    dropped.add(name);
                }
            }
        }
        return dropped;
    }

    /** The relocation targets of the code of function {@code owner}: its clones and {@code .cold} parts too. */
    private static Set<String> targets(ObjectImage image, String owner) {
        Set<String> targets = new HashSet<>();
        image.functions().forEach((k, f) -> {
            if (ObjectImage.ownerOf(k).equals(owner)) {
                f.relocations().forEach(r -> targets.add(r.target()));
            }
        });
        return targets;
    }
}
