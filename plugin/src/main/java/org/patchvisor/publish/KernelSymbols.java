package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every symbol of the target kernel a generated live patch may refer to, as the livepatch core will find it: vmlinux
 * symbols in the order of the target's {@code /proc/kallsyms} (the order {@code sympos} counts in, from 1), module
 * symbols per module, and which of them vmlinux exports ({@code Module.symvers} of the headers). An exported symbol
 * is an ordinary undefined symbol of the patch; every other one is a klp symbol.
 */
public final class KernelSymbols {
    /** One listing of a name: its line in the map (for neighbours), type letter and address. */
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
    java.util.Optional<String> moduleDefining(String name) {
        List<String> owners = modules.entrySet().stream().filter(e -> e.getValue().containsKey(name))
                .map(Map.Entry::getKey).sorted().toList();
        return owners.size() == 1 ? java.util.Optional.of(owners.get(0)) : java.util.Optional.empty();
    }

    /** Whether the map lists any symbol of {@code module} (it was loaded when the map was read). */
    boolean listsModule(String module) {
        return modules.containsKey(module.replace('-', '_'));
    }

    /**
     * The position among vmlinux's symbols named {@code name} of the one that belongs with {@code neighbours}
     * (other symbols of the same compilation unit): 0 when the name is unique, else the 1-based position of the
     * listing with the most neighbours close to it in the map. The link order keeps a unit's symbols together, so
     * the right copy of a static that many files define is the one among its own file's symbols. Empty when the
     * name is missing or no single listing wins.
     */
    java.util.OptionalInt position(String name, Set<String> neighbours) {
        List<Listing> found = inVmlinux(name);
        if (found.size() == 1) {
            return java.util.OptionalInt.of(0);
        }
        int best = -1;
        int bestScore = 0;
        boolean tie = false;
        for (int i = 0; i < found.size(); i++) {
            int score = neighboursNear(found.get(i).line(), neighbours, name);
            if (score > bestScore) {
                best = i;
                bestScore = score;
                tie = false;
            } else if (score == bestScore) {
                tie = true;
            }
        }
        return best < 0 || tie ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(best + 1);
    }

    private int neighboursNear(int line, Set<String> neighbours, String self) {
        int window = 2 * neighbours.size() + 16;
        int score = 0;
        for (int at = Math.max(0, line - window); at < Math.min(vmlinuxOrder.size(), line + window + 1); at++) {
            String other = vmlinuxOrder.get(at);
            if (!other.equals(self) && neighbours.contains(other)) {
                score++;
            }
        }
        return score;
    }
}
