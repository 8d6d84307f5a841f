package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfSymbol;

/**
 * The code symbols of a kernel image as {@code System.map} lists them (address, type, name; sorted by address,
 * which is also the order the kernel's {@code sympos} counts in), or as {@code /proc/kallsyms} of a machine running
 * that kernel lists them (the same, plus {@code [module]} after module symbols, which are kept apart: they count
 * for that object, not vmlinux). Debian ships a one-line stub System.map (the real one is in the -dbg package);
 * reading it is refused with that explanation. It answers the one question a live-patch build asks: does the
 * function to replace exist, exactly once or at the given position.
 */
public final class SymbolMap {
    private final Map<String, List<Long>> text;

    private SymbolMap(Map<String, List<Long>> text) {
        this.text = text;
    }

    public static SymbolMap read(Path systemMap) throws IOException {
        return parse(readText(systemMap));
    }

    /** The text of a System.map or kallsyms copy; Debian's stub map is refused with where the real one is. */
    public static String readText(Path systemMap) throws IOException {
        if (!Files.isRegularFile(systemMap)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no symbol map at " + systemMap
                    + " (give --symbol-map with the kernel's System.map or a copy of its /proc/kallsyms)");
        }
        String content = Files.readString(systemMap);
        if (content.contains("The real System.map is in the")) {
            throw new BuildException(BuildException.Reason.REFUSED, systemMap + " is Debian's stub (the real map is"
                    + " in the linux-image-*-dbg package); give --symbol-map with that map or a copy of /proc/kallsyms"
                    + " read as root on a machine running this kernel");
        }
        return content;
    }

    public static SymbolMap empty() {
        return new SymbolMap(new HashMap<>());
    }

    /** True when the map lists at least one code symbol. */
    public boolean isEmpty() {
        return text.isEmpty();
    }

    public static SymbolMap parse(String content) {
        return parse(content, Replacement.VMLINUX);
    }

    /** The code symbols of {@code object} ("vmlinux" or a module name) in a System.map or kallsyms text. */
    public static SymbolMap parse(String content, String object) {
        Map<String, List<Long>> text = new HashMap<>();
        String wanted = "[" + object.replace('-', '_') + "]";
        for (String line : content.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || f[1].length() != 1 || "tTwW".indexOf(f[1].charAt(0)) < 0) {
                continue;
            }
            boolean belongs = f.length == 3 ? Replacement.VMLINUX.equals(object) : f[3].equals(wanted);
            if (!belongs) {
                continue;
            }
            try {
                text.computeIfAbsent(f[2], k -> new ArrayList<>()).add(Long.parseUnsignedLong(f[0], 16));
            } catch (NumberFormatException e) {
                // not a symbol line
            }
        }
        return new SymbolMap(text);
    }

    /** The function symbols of a module file ({@code .ko}), in symbol-table order: a module's sympos order. */
    public static SymbolMap ofModule(Path ko) throws IOException {
        Map<String, List<Long>> text = new HashMap<>();
        for (ElfSymbol s : ElfFile.read(ko).symbols()) {
            if (s.isFunction() && !s.isUndefined()) {
                text.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s.value());
            }
        }
        return new SymbolMap(text);
    }

    /** Addresses of the code symbols named exactly {@code name}, in map order. */
    public List<Long> addresses(String name) {
        return text.getOrDefault(name, List.of());
    }

    /**
     * Checks that {@code r} names a function of the kernel image exactly: throws a {@link BuildException} naming
     * the candidates when it is missing (including gcc clones of it), ambiguous without sympos, or out of range.
     */
    public void check(Replacement r) throws BuildException {
        List<Long> found = addresses(r.function());
        if (found.isEmpty()) {
            List<String> clones = text.keySet().stream()
                    .filter(n -> !n.equals(r.function()) && SymbolNames.baseName(n).equals(r.function()))
                    .sorted().toList();
            throw new BuildException(BuildException.Reason.REFUSED, "function " + r.function()
                    + " is not in the target kernel's symbol map"
                    + (clones.isEmpty() ? "" : " (gcc renamed it: " + String.join(", ", clones)
                    + "; name that symbol instead)"));
        }
        if (r.sympos() == 0 && found.size() > 1) {
            List<String> candidates = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                candidates.add("sympos " + (i + 1) + " at " + Long.toHexString(found.get(i)));
            }
            throw new BuildException(BuildException.Reason.REFUSED, "function " + r.function() + " is ambiguous ("
                    + found.size() + " symbols: " + String.join(", ", candidates) + "); set sympos");
        }
        if (r.sympos() > found.size()) {
            throw new BuildException(BuildException.Reason.REFUSED, "function " + r.function() + ": sympos "
                    + r.sympos() + " out of range, the kernel has " + found.size() + " symbol(s) of that name");
        }
    }
}
