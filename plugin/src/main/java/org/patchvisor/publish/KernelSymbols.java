package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every symbol of the target kernel a generated live patch may refer to, as the livepatch core will find it: vmlinux
 * symbols in the order of the target's {@code /proc/kallsyms} (the order {@code sympos} counts in, from 1), module
 * symbols per module, and which of them vmlinux exports ({@code Module.symvers} of the headers). An exported symbol
 * is an ordinary undefined symbol of the patch; every other one is a klp symbol.
 */
public final class KernelSymbols {
    /** One listing of a name: its index among the vmlinux lines of the map (address order), type letter, address. */
    record Listing(int line, char type, long address) {
    }

    private final Map<String, List<Listing>> vmlinux;
    private final List<String> vmlinuxOrder;
    private final Map<String, Map<String, List<Listing>>> modules;
    private final Set<String> exported;

    private KernelSymbols(Map<String, List<Listing>> vmlinux, List<String> vmlinuxOrder,
                          Map<String, Map<String, List<Listing>>> modules, Set<String> exported) {
        this.vmlinux = vmlinux;
        this.vmlinuxOrder = vmlinuxOrder;
        this.modules = modules;
        this.exported = exported;
    }

    /** Reads a kallsyms copy (or a full System.map) and the headers' Module.symvers. */
    public static KernelSymbols read(Path map, Path moduleSymvers) throws IOException {
        if (!Files.isRegularFile(moduleSymvers)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no " + moduleSymvers
                    + " to tell exported symbols from unexported ones");
        }
        return parse(SymbolMap.readText(map), Files.readString(moduleSymvers));
    }

    /** As {@link #read} from the two texts. */
    static KernelSymbols parse(String map, String symvers) {
        Map<String, List<Listing>> vmlinux = new HashMap<>();
        List<String> order = new ArrayList<>();
        Map<String, Map<String, List<Listing>>> modules = new HashMap<>();
        String[] lines = map.split("\n");
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // kallsyms lists per-cpu variables as 'A' (KALLSYMS_ABSOLUTE_PERCPU) and counts them like any symbol;
            // local absolutes ('a') of a System.map are not in kallsyms.
            if (f.length < 3 || f[1].length() != 1 || f[1].equals("a") || !f[0].matches("[0-9a-fA-F]+")) {
                continue;
            }
            long address = Long.parseUnsignedLong(f[0], 16);
            if (f.length == 3) {
                vmlinux.computeIfAbsent(f[2], k -> new ArrayList<>())
                        .add(new Listing(order.size(), f[1].charAt(0), address));
                order.add(f[2]);
            } else if (f[3].startsWith("[") && f[3].endsWith("]")) {
                String module = f[3].substring(1, f[3].length() - 1);
                List<Listing> of = modules.computeIfAbsent(module, k -> new HashMap<>())
                        .computeIfAbsent(f[2], k -> new ArrayList<>());
                of.add(new Listing(of.size(), f[1].charAt(0), address));
            }
        }
        Set<String> exported = new HashSet<>();
        for (String line : symvers.split("\n")) {
            String[] f = line.split("\t");
            // Only what vmlinux exports: a module's export would tie the patch to that module being loaded.
            if (f.length >= 3 && f[2].equals("vmlinux")) {
                exported.add(f[1]);
            }
        }
        return new KernelSymbols(vmlinux, order, modules, exported);
    }

    /** True when vmlinux exports {@code name} to modules. */
    public boolean exported(String name) {
        return exported.contains(name);
    }

    /** The listings of {@code name} in vmlinux, in kallsyms order. */
    List<Listing> inVmlinux(String name) {
        return vmlinux.getOrDefault(name, List.of());
    }

    /** The listings of {@code name} in {@code module} (as kallsyms lists a loaded module), in its order. */
    List<Listing> inModule(String module, String name) {
        return modules.getOrDefault(module.replace('-', '_'), Map.of()).getOrDefault(name, List.of());
    }

    /** The loaded module whose own symbols include {@code name}, when exactly one does. */
    Optional<String> moduleDefining(String name) {
        List<String> owners = modules.entrySet().stream().filter(e -> e.getValue().containsKey(name))
                .map(Map.Entry::getKey).sorted().toList();
        return owners.size() == 1 ? Optional.of(owners.get(0)) : Optional.empty();
    }

    /** Whether the map lists any symbol of {@code module} (it was loaded when the map was read). */
    boolean listsModule(String module) {
        return modules.containsKey(module.replace('-', '_'));
    }

    /**
     * Where a unit's symbol is among vmlinux's listings of its name: {@code sympos} (0 for a name the map lists once,
     * else counted from 1 in kallsyms order), or, when the map does not tell, why ({@code refusal}, a clause that
     * follows the name).
     */
    record Position(int sympos, String refusal) {
        static Position of(int sympos) {
            return new Position(sympos, "");
        }

        static Position refused(String why) {
            return new Position(-1, why);
        }

        boolean found() {
            return refusal.isEmpty();
        }
    }

    /** The lines of the map that hold one unit's symbols of one region, from the first to the last. */
    private record Block(int first, int last) {
        boolean holds(int line) {
            return line >= first && line <= last;
        }
    }

    /**
     * The position of {@code unit}'s own {@code name} among vmlinux's listings of that name, counted as the kernel's
     * {@code klp_find_callback} counts {@code sympos}. A repeated name (a static that many files define, gcc's
     * {@code __func__.N}, {@code CSWTCH.N}, {@code NAME.constprop.N}) is told apart by the link alone: the kernel is
     * built without per-symbol sections, so the unit's symbols of one region ({@link UnitSymbols}) are one block of
     * the map, which lists symbols in address order. Nearness to the unit's other names would not do: generic names
     * occur next to every unit. The block is found from the unit's symbols of that region that the map lists
     * exactly once (anchors; a weak one may be another file's, a listing of the wrong kind or case is not this
     * symbol); the unit's copy is the only listing of the name inside it. When the map does not tell (no anchor in
     * that region, or none or several listings inside the block) the position is refused, never guessed: a wrong
     * one makes the patch use another file's static.
     */
    Position position(String name, UnitSymbols unit) {
        List<Listing> found = inVmlinux(name);
        if (found.size() == 1) {
            return Position.of(0);
        }
        String counted = "the map lists " + found.size() + " symbols of that name";
        Optional<UnitSymbols.Defined> own = unit.only(name);
        if (own.isEmpty()) {
            return Position.refused(counted + ", and its unit does not define it once");
        }
        UnitSymbols.Defined symbol = own.get();
        Optional<Block> block = block(unit, symbol.region());
        if (block.isEmpty()) {
            return Position.refused(counted + ", and its unit has no symbol in " + symbol.region()
                    + " that the map lists once to find the unit's among them");
        }
        List<Integer> inside = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            if (block.get().holds(found.get(i).line()) && fits(symbol, found.get(i).type())) {
                inside.add(i);
            }
        }
        if (inside.size() == 1) {
            return Position.of(inside.get(0) + 1);
        }
        return Position.refused(counted + ", and " + (inside.isEmpty() ? "none" : inside.size()) + " of them lie"
                + " among its unit's " + symbol.region() + " symbols (" + vmlinuxOrder.get(block.get().first())
                + " to " + vmlinuxOrder.get(block.get().last()) + ")");
    }

    /**
     * The unit's block of {@code region}: from its first to its last anchor, then outwards over lines that are the
     * unit's own names of the region in the order the unit emitted them, since the block may begin or end with
     * repeated names (the {@code __func__.N} before a unit's first uniquely named constant). The order check keeps
     * the walk from running on into a neighbouring unit through a name both happen to have.
     */
    private Optional<Block> block(UnitSymbols unit, String region) {
        Map<String, Integer> rank = new HashMap<>();
        int first = Integer.MAX_VALUE;
        int last = -1;
        for (UnitSymbols.Defined d : unit.onlyOnesIn(region)) {
            rank.put(d.name(), d.rank());
            List<Listing> listed = inVmlinux(d.name());
            if (d.binding() != UnitSymbols.Binding.WEAK && listed.size() == 1 && fits(d, listed.get(0).type())) {
                first = Math.min(first, listed.get(0).line());
                last = Math.max(last, listed.get(0).line());
            }
        }
        if (last < 0) {
            return Optional.empty();
        }
        while (first > 0 && emittedBefore(rank, vmlinuxOrder.get(first - 1), vmlinuxOrder.get(first))) {
            first--;
        }
        while (last + 1 < vmlinuxOrder.size() && emittedBefore(rank, vmlinuxOrder.get(last),
                vmlinuxOrder.get(last + 1))) {
            last++;
        }
        return Optional.of(new Block(first, last));
    }

    private static boolean emittedBefore(Map<String, Integer> rank, String earlier, String later) {
        Integer a = rank.get(earlier);
        Integer b = rank.get(later);
        return a != null && b != null && a < b;
    }

    /**
     * Whether a listing's kallsyms type letter can be this symbol's: a text letter for a function and only for one;
     * lower case for a static, upper case for a global, {@code W}/{@code V} for a weak one. Per-cpu variables are
     * all listed {@code A}, static or not.
     */
    private static boolean fits(UnitSymbols.Defined symbol, char type) {
        if (symbol.function() != ("tTwW".indexOf(type) >= 0)) {
            return false;
        }
        if (type == 'A') {
            return true;
        }
        return switch (symbol.binding()) {
            case LOCAL -> Character.isLowerCase(type);
            case GLOBAL -> Character.isUpperCase(type);
            case WEAK -> type == 'W' || type == 'V';
        };
    }
}
