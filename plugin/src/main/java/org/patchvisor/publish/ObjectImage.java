package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * The functions and data objects of one relocatable object file, each reduced to a {@link CodeItem}: bytes with
 * relocated fields zeroed and relocations named symbolically. This is the unit the build comparison works on;
 * it reads only {@link ElfFile}, never the source.
 *
 * <p>An item's key is its normalised name (see {@link SymbolNames}), except for a local data object whose name
 * the compiler numbered (a function-scope static such as {@code count.3}, or a {@code __UNIQUE_ID_...}): when
 * exactly one function references it, its key is {@code owner/name}, e.g. {@code counter/count}, the owner being
 * the source function of the code that refers to it ({@link #ownerOf}: clones and {@code .cold} parts count for
 * the function they were made from). Keyed so, a static that a fix
 * adds to one function does not re-key the statics of another, as numbering them in symbol order would. A key
 * still taken gets {@code #2}, {@code #3}... in symbol order.
 */
public final class ObjectImage {
    private static final long SHF_MERGE = 0x10;
    private static final long SHF_STRINGS = 0x20;

    private final int machine;
    private final Map<String, CodeItem> functions;
    private final Map<String, CodeItem> data;
    private final Map<String, String> keys;

    private ObjectImage(int machine, Map<String, CodeItem> functions, Map<String, CodeItem> data) {
        this.machine = machine;
        this.functions = Collections.unmodifiableMap(functions);
        this.data = Collections.unmodifiableMap(data);
        Map<String, String> keys = new HashMap<>();
        data.values().forEach(item -> keys.putIfAbsent(item.name(), item.key()));
        functions.values().forEach(item -> keys.put(item.name(), item.key()));
        this.keys = keys;
    }

    /** Reads and parses {@code file}; an error names the file once (ElfFile.read names it for the ELF layer). */
    public static ObjectImage read(Path file) throws IOException {
        ElfFile elf = ElfFile.read(file);
        try {
            return of(elf);
        } catch (ElfFormatException e) {
            throw new ElfFormatException(file + ": " + e.getMessage());
        }
    }

    public static ObjectImage of(ElfFile file) throws ElfFormatException {
        if (file.type() != ElfFile.ET_REL) {
            throw new ElfFormatException("not a relocatable object file (e_type " + file.type() + ")");
        }
        return new Reader(file).read();
    }

    /** An object file with nothing in it: the other side of a file that exists in one build only. */
    public static ObjectImage empty() {
        return new ObjectImage(0, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** {@code e_machine} of the file, e.g. {@link ElfFile#EM_X86_64}; 0 for {@link #empty()}. */
    public int machine() {
        return machine;
    }

    /**
     * The key of the function or data object that symbol {@code symbolName} of this file names: the way to find
     * its counterpart in the other build, whose symbol may be numbered differently ({@code count.3} here,
     * {@code count.4} there, both keyed {@code counter/count}). A function wins over a data object of the same name.
     */
    public Optional<String> keyOf(String symbolName) {
        return Optional.ofNullable(keys.get(symbolName));
    }

    /** The symbol name of the item keyed {@code key}, among the functions first, then the data objects. */
    public Optional<String> nameOf(String key) {
        CodeItem item = functions.containsKey(key) ? functions.get(key) : data.get(key);
        return Optional.ofNullable(item).map(CodeItem::name);
    }

    /** Functions (STT_FUNC) by normalised key, in symbol-table order. */
    public Map<String, CodeItem> functions() {
        return functions;
    }

    /** Data objects (STT_OBJECT in allocated sections) by normalised key, in symbol-table order. */
    public Map<String, CodeItem> data() {
        return data;
    }

    /** Builds the items of one file; holds the per-section caches while it does. */
    private static final class Reader {
        private final ElfFile file;
        private final List<ElfSymbol> symbols;
        private final Map<Integer, byte[]> contents = new HashMap<>();
        private final Map<Integer, List<ElfRelocation>> relocations = new HashMap<>();
        private final Map<Integer, List<ElfSymbol>> named = new HashMap<>();

        Reader(ElfFile file) throws ElfFormatException {
            this.file = file;
            this.symbols = file.symbols();
            for (ElfSymbol s : symbols) {
                if ((s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT) && inSection(s)) {
                    named.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
                }
            }
        }

        ObjectImage read() throws ElfFormatException {
            Map<String, CodeItem> functions = new LinkedHashMap<>();
            List<ElfSymbol> dataSymbols = new ArrayList<>();
            Map<ElfSymbol, Set<String>> owners = new HashMap<>();
            for (ElfSymbol s : symbols) {
                if (!inSection(s) || s.name().isEmpty()) {
                    continue;
                }
                ElfSection section = file.section(s.sectionIndex());
                if ((section.flags() & ElfSection.SHF_ALLOC) == 0) {
                    continue;
                }
                if (s.type() == ElfSymbol.STT_FUNC) {
                    List<ElfSymbol> referenced = new ArrayList<>();
                    put(functions, item(s, section, referenced), null);
                    String owner = ownerOf(s.name());
                    referenced.forEach(t -> owners.computeIfAbsent(t, k -> new TreeSet<>()).add(owner));
                } else if (s.type() == ElfSymbol.STT_OBJECT) {
                    dataSymbols.add(s);
                }
            }
            Map<String, CodeItem> data = new LinkedHashMap<>();
            for (ElfSymbol s : dataSymbols) {
                Set<String> by = owners.getOrDefault(s, Set.of());
                boolean byOwner = s.bind() == ElfSymbol.STB_LOCAL && SymbolNames.isRenamed(s.name()) && by.size() == 1;
                put(data, item(s, file.section(s.sectionIndex()), new ArrayList<>()),
                        byOwner ? by.iterator().next() : null);
            }
            return new ObjectImage(file.machine(), functions, data);
        }

        private boolean inSection(ElfSymbol s) {
            return s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < 0xff00
                    && s.sectionIndex() < file.sections().size();
        }

        private static void put(Map<String, CodeItem> items, CodeItem item, String owner) {
            String base = owner == null ? item.key() : owner + "/" + item.key();
            String key = base;
            for (int n = 2; items.containsKey(key); n++) {
                key = base + "#" + n;
            }
            items.put(key, key.equals(item.key()) ? item : new CodeItem(key, item.name(), item.section(),
                    item.local(), item.init(), item.size(), item.maskedBytes(), item.relocations()));
        }

        /** The item of symbol {@code s}; adds to {@code referenced} the named symbols its relocations point at. */
        private CodeItem item(ElfSymbol s, ElfSection section, List<ElfSymbol> referenced) throws ElfFormatException {
            byte[] all = contents(section);
            long start = s.value();
            long end = start + s.size();
            if (start < 0 || end > section.size() || end < start) {
                throw new ElfFormatException(String.format("symbol %s [0x%x, 0x%x) outside section %s (0x%x bytes)",
                        s.name(), start, end, section.name(), section.size()));
            }
            byte[] bytes = new byte[(int) s.size()];
            if (section.hasFileBytes()) {
                System.arraycopy(all, (int) start, bytes, 0, bytes.length);
            }
            // PC-relative fields count from the end of their instruction, which an immediate may follow.
            Optional<List<X86Instructions.Instruction>> code = section.isExecutable()
                    && file.machine() == ElfFile.EM_X86_64 ? X86Instructions.decode(bytes.clone()) : Optional.empty();
            List<SymbolicRelocation> symbolic = new ArrayList<>();
            for (ElfRelocation r : relocations(section)) {
                if (r.offset() < start || r.offset() >= end) {
                    continue;
                }
                int at = (int) (r.offset() - start);
                int width = Math.min(RelocationTypes.width(file.machine(), r.type()), bytes.length - at);
                long addend = r.explicitAddend() ? r.addend() : implicitAddend(bytes, at, width);
                for (int i = 0; i < width; i++) {
                    bytes[at + i] = 0;
                }
                Optional<Long> toEnd = code.flatMap(decoded -> decoded.stream().filter(i -> i.contains(at)).findFirst())
                        .map(i -> (long) (i.start() + i.length() - at));
                symbolic.add(symbolic(r, at, addend, referenced, toEnd));
            }
            maskDebugLine(section.name(), bytes);
            return new CodeItem(SymbolNames.normalise(s.name()), s.name(), section.name(),
                    s.bind() == ElfSymbol.STB_LOCAL, isInit(section.name()), s.size(), bytes, symbolic);
        }

        /**
         * A pr_debug descriptor ({@code struct _ddebug} in {@code __dyndbg}: four pointers, then an 18-bit
         * {@code lineno}) records its {@code __LINE__}: a line shift above it is no change of the data.
         */
        private void maskDebugLine(String section, byte[] bytes) {
            if (section.equals("__dyndbg") && bytes.length >= 36 && file.byteOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
                    && file.is64Bit()) {
                bytes[32] = 0;
                bytes[33] = 0;
                bytes[34] = (byte) (bytes[34] & ~0x03);
            }
        }

        private long implicitAddend(byte[] bytes, int at, int width) {
            long value = 0;
            boolean little = file.byteOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
            for (int i = 0; i < width; i++) {
                int b = bytes[at + (little ? width - 1 - i : i)] & 0xff;
                value = (value << 8) | b;
            }
            return width == 4 ? (int) value : value;
        }

        private SymbolicRelocation symbolic(ElfRelocation r, int at, long addend, List<ElfSymbol> referenced,
                                            Optional<Long> toEnd) throws ElfFormatException {
            if (r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size()) {
                return new SymbolicRelocation(at, r.type(), "*none*", addend);
            }
            ElfSymbol target = symbols.get(r.symbolIndex());
            boolean sectionRelative = target.type() == ElfSymbol.STT_SECTION
                    || (target.type() == ElfSymbol.STT_NOTYPE && target.bind() == ElfSymbol.STB_LOCAL);
            if (!sectionRelative || !inSection(target)) {
                referenced.add(target);
                return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(target.name()), addend);
            }
            ElfSection section = file.section(target.sectionIndex());
            long bias = RelocationTypes.pcRelativeBias(file.machine(), r.type());
            if (bias > 0 && toEnd.isPresent()) {
                bias = toEnd.get();
            }
            long base = target.value() + addend;
            long effective = base + bias;
            if ((section.flags() & SHF_MERGE) != 0 && (section.flags() & SHF_STRINGS) != 0
                    && section.hasFileBytes() && effective >= 0 && effective < section.size()) {
                return new SymbolicRelocation(at, r.type(), "str:" + string(contents(section), (int) effective), addend);
            }
            for (ElfSymbol candidate : named.getOrDefault(section.index(), List.of())) {
                long size = Math.max(candidate.size(), 1);
                if (effective >= candidate.value() && effective < candidate.value() + size) {
                    referenced.add(candidate);
                    return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(candidate.name()),
                            base - candidate.value());
                }
            }
            return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(section.name()), base);
        }

        private static String string(byte[] bytes, int from) {
            int end = from;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, from, end - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        private byte[] contents(ElfSection section) {
            return contents.computeIfAbsent(section.index(), i -> section.contents());
        }

        private List<ElfRelocation> relocations(ElfSection section) throws ElfFormatException {
            List<ElfRelocation> cached = relocations.get(section.index());
            if (cached == null) {
                var rel = file.relocationSectionFor(section);
                cached = rel.isPresent() ? file.relocations(rel.get()) : List.of();
                relocations.put(section.index(), cached);
            }
            return cached;
        }
    }

    /**
     * The source function that owns the statics {@code function} (a name or key) refers to: a {@code .cold} part
     * counts for its parent and a clone for the function it was made from, since a static belongs to the source
     * function whichever way gcc clones it in one build or the other.
     */
    static String ownerOf(String function) {
        return SymbolNames.parentOf(SymbolNames.baseName(function));
    }

    /** True for sections whose code or data is used only while booting or loading, then freed. */
    static boolean isInit(String section) {
        return section.startsWith(".init.") || section.startsWith(".meminit.") || section.equals(".init")
                || section.startsWith(".head.text") || section.startsWith(".exit.");
    }
}
