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
    private final int machine;
    private final Map<String, CodeItem> functions;
    private final Map<String, CodeItem> data;
    private final Map<String, String> keys;
    private final Map<String, List<String>> tableEntries;
    private final AddedDeclarations.Declared declared;

    private ObjectImage(int machine, Map<String, CodeItem> functions, Map<String, CodeItem> data,
                        Map<String, List<String>> tableEntries, AddedDeclarations.Declared declared) {
        this.machine = machine;
        this.tableEntries = Map.copyOf(tableEntries);
        this.declared = declared;
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
        return new ObjectImage(0, new LinkedHashMap<>(), new LinkedHashMap<>(), Map.of(), AddedDeclarations.Declared.NONE);
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

    /**
     * The special-section entries that describe the code of the function named {@code name} (normalised, see
     * {@link TableEntries}): an exception fixup, a jump label, an alternative and so on. Two builds whose function
     * bytes agree but whose entries differ (another CPU feature for an alternative, another fixup type) differ.
     */
    public List<String> tableEntriesOf(String name) {
        return tableEntries.getOrDefault(name, List.of());
    }

    /** The module parameters and exports the file declares ({@link AddedDeclarations}). */
    AddedDeclarations.Declared declared() {
        return declared;
    }

    /** Data objects (STT_OBJECT in allocated sections) by normalised key, in symbol-table order. */
    public Map<String, CodeItem> data() {
        return data;
    }

    /** Builds the items of one file. */
    private static final class Reader {
        private final ElfFile file;
        private final List<ElfSymbol> symbols;
        private final SymbolicReader refs;

        Reader(ElfFile file) throws ElfFormatException {
            this.file = file;
            this.symbols = file.symbols();
            this.refs = new SymbolicReader(file);
        }

        ObjectImage read() throws ElfFormatException {
            Map<String, CodeItem> functions = new LinkedHashMap<>();
            List<ElfSymbol> dataSymbols = new ArrayList<>();
            Map<ElfSymbol, Set<String>> owners = new HashMap<>();
            for (ElfSymbol s : symbols) {
                if (!refs.inSection(s) || s.name().isEmpty()) {
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
            return new ObjectImage(file.machine(), functions, data, TableEntries.read(file, refs),
                    AddedDeclarations.declared(file));
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
            long start = s.value();
            long end = start + s.size();
            if (start < 0 || end > section.size() || end < start) {
                throw new ElfFormatException(String.format("symbol %s [0x%x, 0x%x) outside section %s (0x%x bytes)",
                        s.name(), start, end, section.name(), section.size()));
            }
            SymbolicReader.Piece piece = refs.piece(section, start, (int) s.size(), referenced);
            byte[] bytes = piece.maskedBytes();
            maskDebugLine(section.name(), bytes);
            return new CodeItem(SymbolNames.normalise(s.name()), s.name(), section.name(),
                    s.bind() == ElfSymbol.STB_LOCAL, isInit(section.name()), s.size(), bytes, piece.relocations());
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
    }

    /**
     * The source function that owns the statics {@code function} (a name or key) refers to: a {@code .cold} part
     * counts for its parent and a clone for the function it was made from, since a static belongs to the source
     * function whichever way gcc clones it in one build or the other.
     */
    static String ownerOf(String function) {
        return SymbolNames.parentOf(SymbolNames.baseName(function));
    }

    /** The function that owns the data object keyed {@code key}, when it is keyed {@code owner/name}. */
    static Optional<String> ownerInKey(String key) {
        int slash = key.indexOf('/');
        return slash > 0 ? Optional.of(key.substring(0, slash)) : Optional.empty();
    }

    /** True for sections whose code or data is used only while booting or loading, then freed. */
    static boolean isInit(String section) {
        return section.startsWith(".init.") || section.startsWith(".meminit.") || section.equals(".init")
                || section.startsWith(".head.text") || section.startsWith(".exit.");
    }
}
