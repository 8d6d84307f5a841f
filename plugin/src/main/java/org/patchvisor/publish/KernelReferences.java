package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How extracted code names the running kernel's own copy of a symbol it uses but does not carry: an exported
 * vmlinux symbol by its name (the module loader resolves it), anything else as the livepatch core's
 * {@code .klp.sym.OBJECT.NAME,POS} (Documentation/livepatch/module-elf-format.rst), where OBJECT is vmlinux or the
 * module the symbol lives in, so that a patch to a module works whether that module is loaded before or after it.
 * What cannot be named is collected as one problem per symbol.
 */
final class KernelReferences {
    private final KernelSymbols kernel;
    private final String object;
    private final UnitSymbols unit;
    private final Map<String, String> klp = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * @param object     where the compared unit is linked: {@code vmlinux} or a module name
     * @param unit       what the compared unit defines, which tells its statics from other files' of the same name
     */
    KernelReferences(KernelSymbols kernel, String object, UnitSymbols unit) {
        this.kernel = kernel;
        this.object = object;
        this.unit = unit;
    }

    /** The symbol name the patch object uses for the kernel's {@code name}; {@code local} for a static. */
    String nameFor(String name, boolean local) {
        // What vmlinux exports is vmlinux's, whichever module's code calls it.
        if (!local && kernel.exported(name)) {
            return name;
        }
        if (!Replacement.VMLINUX.equals(object)) {
            List<KernelSymbols.Listing> inModule = kernel.inModule(object, name);
            if (!inModule.isEmpty()) {
                return klpName(object, name, inModule.size() == 1 ? 0 : ambiguousInModule(name, inModule.size()));
            }
            // What another module defines (9p calls 9pnet) is that module's klp symbol, applied when it loads.
            Optional<String> owner = kernel.moduleDefining(name);
            if (owner.isPresent() && !owner.get().equals(object.replace('-', '_'))) {
                List<KernelSymbols.Listing> there = kernel.inModule(owner.get(), name);
                return klpName(owner.get(), name, there.size() == 1 ? 0 : ambiguousInModule(name, there.size()));
            }
            if (!kernel.listsModule(object)) {
                problems.add(name + ": the symbol map lists no symbol of module " + object
                        + " (read /proc/kallsyms while it is loaded)");
                return name;
            }
        }
        if (!local && kernel.exported(name)) {
            return name;
        }
        if (kernel.inVmlinux(name).isEmpty()) {
            problems.add(name + " is neither exported nor in the target kernel's symbol map");
            return name;
        }
        int listed = kernel.inVmlinux(name).size();
        KernelSymbols.Position position = local ? kernel.position(name, unit) : listed == 1
                ? KernelSymbols.Position.of(0) : KernelSymbols.Position.refused("the map lists " + listed
                + " symbols of that name");
        if (!position.found()) {
            problems.add(name + " is ambiguous: " + position.refusal());
            return name;
        }
        return klpName(Replacement.VMLINUX, name, position.sympos());
    }

    /** A function's position for {@code old_sympos}: 0 when unique in its object. */
    int positionOf(String name, boolean local) {
        if (!Replacement.VMLINUX.equals(object)) {
            int n = kernel.inModule(object, name).size();
            return n <= 1 ? 0 : ambiguousInModule(name, n);
        }
        List<KernelSymbols.Listing> found = kernel.inVmlinux(name);
        if (found.isEmpty()) {
            problems.add("function " + name + " to replace is not in the target kernel's symbol map");
            return 0;
        }
        KernelSymbols.Position position = kernel.position(name, unit);
        if (!position.found()) {
            problems.add("function " + name + " to replace is ambiguous: " + position.refusal());
            return 0;
        }
        return position.sympos();
    }

    private int ambiguousInModule(String name, int count) {
        problems.add(name + " is defined " + count + " times in module " + object + ": not told apart yet");
        return 0;
    }

    private String klpName(String owner, String name, int position) {
        String klpName = ".klp.sym." + owner.replace('-', '_') + "." + name + "," + position;
        klp.put(klpName, owner);
        return klpName;
    }

    /** The klp symbols handed out so far, each with the object it belongs to. */
    Map<String, String> klpSymbols() {
        return Map.copyOf(klp);
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    String object() {
        return object;
    }
}
