package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSymbol;

/**
 * Decides which of a built module's undefined symbols the livepatch core must resolve: those the target kernel
 * does not export (not in its headers' {@code Module.symvers}). Each must be in the kernel's symbol map, where the
 * livepatch core will look it up; a name the map lists more than once needs its position from the manifest's
 * {@code symbols}, counted as the kernel counts (every symbol of that name, in map order, from 1).
 */
final class UnexportedSymbols {

    private UnexportedSymbols() {
    }

    /** The kernel's symbol map, read only when some symbol is unexported (Debian's stub map is refused then). */
    interface MapText {
        String read() throws IOException;
    }

    /** Name → sympos of every unexported symbol {@code ko} needs, checked against the symbol map. */
    static Map<String, Integer> of(Path ko, Path moduleSymvers, MapText map, Map<String, Integer> positions)
            throws IOException {
        Set<String> exported = exported(moduleSymvers);
        KernelSymbols vmlinux = null;
        Map<String, Integer> result = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<ElfSymbol> symbols;
        try {
            symbols = ElfFile.read(ko).symbols();
        } catch (ElfFormatException e) {
            throw new BuildException(BuildException.Reason.REFUSED, "cannot read the built module: " + e.getMessage());
        }
        for (ElfSymbol s : symbols) {
            String name = s.name();
            if (s.sectionIndex() != ElfSymbol.SHN_UNDEF || name.isEmpty() || exported.contains(name)
                    || result.containsKey(name)) {
                continue;
            }
            if (vmlinux == null) {
                vmlinux = KernelSymbols.parse(map.read(), "");
            }
            List<String> found = listed(vmlinux.inVmlinux(name));
            int sympos = positions.getOrDefault(name, 0);
            if (found.isEmpty()) {
                problems.add(name + " is neither exported nor in the target kernel's symbol map");
            } else if (sympos == 0 && found.size() > 1) {
                problems.add(name + " is ambiguous (" + found.size() + " symbols: " + String.join(", ", found)
                        + "); give its position in \"symbols\"");
            } else if (sympos > found.size()) {
                problems.add(name + ": position " + sympos + " out of range, the kernel has " + found.size());
            } else {
                result.put(name, sympos);
            }
        }
        if (!problems.isEmpty()) {
            throw new BuildException(BuildException.Reason.REFUSED, "the live patch uses unexported symbols the "
                    + "livepatch core cannot resolve: " + String.join("; ", problems));
        }
        return result;
    }

    private static Set<String> exported(Path moduleSymvers) throws IOException {
        if (!Files.isRegularFile(moduleSymvers)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no " + moduleSymvers
                    + " to tell exported symbols from unexported ones");
        }
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(moduleSymvers)) {
            String[] f = line.split("\t");
            if (f.length >= 2) {
                names.add(f[1]);
            }
        }
        return names;
    }

    /** Each listing as the messages show it: its position, type and address. */
    private static List<String> listed(List<KernelSymbols.Listing> listings) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < listings.size(); i++) {
            KernelSymbols.Listing l = listings.get(i);
            shown.add((i + 1) + ": " + l.type() + " " + Long.toHexString(l.address()));
        }
        return shown;
    }
}
