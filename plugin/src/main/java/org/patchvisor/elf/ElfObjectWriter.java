package org.patchvisor.elf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a new x86-64 ELF64 little-endian relocatable object (ET_REL): the live-patch builder puts the functions
 * and data it extracted from a compiled unit into one, with their symbols and relocations, and kbuild links it
 * into the patch module. Everything is checked as it is added ({@link IllegalArgumentException}), so a mistake is
 * reported where it is made, not by the linker later. The writer owns the tables whose {@code sh_link} and
 * {@code sh_info} it must fill (symbol table, string tables, relocation sections); the file layout is
 * {@link ElfObjectLayout}'s.
 */
public final class ElfObjectWriter {
    /** From SHN_LORESERVE (0xff00) on, indexes need extended numbering (SHT_SYMTAB_SHNDX), not written here. */
    static final int MAX_SECTIONS = 0xff00;
    /** Null section, .symtab, .strtab, .shstrtab. */
    private static final int FIXED_SECTIONS = 4;
    /** Larger alignments only pad the file; no kernel section asks for more than a 2 MiB page. */
    public static final long MAX_ALIGNMENT = 1L << 21;
    private static final long SHF_LINK_ORDER = 0x80;
    private static final long SHF_GROUP = 0x200;
    /**
     * Types whose sh_link/sh_info would name tables of this writer (SYMTAB, RELA, HASH, DYNAMIC, REL, DYNSYM, GROUP,
     * SYMTAB_SHNDX), or that have no bytes (NULL; NOBITS goes through addNobits).
     */
    private static final Set<Integer> OWNED_TYPES = Set.of(ElfSection.SHT_NULL, ElfSection.SHT_SYMTAB,
            ElfSection.SHT_RELA, 5, 6, ElfSection.SHT_NOBITS, ElfSection.SHT_REL, 11, 17, 18);
    /**
     * x86-64 types relative to the place patched: PC8/16/32/64, PLT32, GOTPCREL(X), REX_GOTPCRELX, GOTPCREL64,
     * GOTPC32/64, and the TLS ones TLSGD, TLSLD, GOTTPOFF, GOTPC32_TLSDESC.
     */
    private static final Set<Integer> PC_RELATIVE = Set.of(2, 4, 9, 13, 15, 19, 20, 22, 24, 26, 28, 29, 34, 41, 42);
    private static final int STT_COMMON = 5;
    private static final int STT_TLS = 6;

    record Section(String name, int type, long flags, long align, long entsize, byte[] contents, long size) {
    }

    record Symbol(String name, int bind, int type, int visibility, int section, long value, long size) {
    }

    record Relocation(long offset, int type, int symbol, long addend) {
    }

    private final List<Section> sections = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();
    private final Map<Integer, Integer> sectionSymbols = new HashMap<>();
    /** Per target section index, in index order, which is the order of the .rela sections in the file. */
    private final Map<Integer, List<Relocation>> relocations = new TreeMap<>();

    public ElfObjectWriter() {
    }

    /** Adds a section with contents (PROGBITS etc.); returns its section index (1-based, 0 is the null section). */
    public int addSection(String name, int type, long flags, long align, long entsize, byte[] contents) {
        requireName(name, "section name");
        if (OWNED_TYPES.contains(type)) {
            throw new IllegalArgumentException("section " + name + ": type " + Integer.toUnsignedString(type)
                    + (type == ElfSection.SHT_NOBITS ? " is added with addNobits" : " is written by the writer itself"));
        }
        if (contents == null) {
            throw new IllegalArgumentException("section " + name + ": no contents");
        }
        checkHeader(name, flags, align, entsize);
        if ((flags & ElfSection.SHF_MERGE) != 0 && (entsize == 0 || contents.length % entsize != 0)) {
            throw new IllegalArgumentException("section " + name + ": SHF_MERGE needs entries of a fixed size, but "
                    + contents.length + " bytes are not a multiple of entsize " + entsize);
        }
        if ((flags & ElfSection.SHF_STRINGS) != 0 && contents.length > 0 && contents[contents.length - 1] != 0) {
            throw new IllegalArgumentException("section " + name + ": SHF_STRINGS contents must end with a NUL");
        }
        return add(new Section(name, type, flags, align, entsize, contents.clone(), contents.length));
    }

    /** Adds a SHT_NOBITS section of {@code size} bytes. */
    public int addNobits(String name, long flags, long align, long size) {
        requireName(name, "section name");
        checkHeader(name, flags, align, 0);
        if (size < 0) {
            throw new IllegalArgumentException("section " + name + ": negative size " + size);
        }
        return add(new Section(name, ElfSection.SHT_NOBITS, flags, align, 0, null, size));
    }

    /** Adds a symbol; returns a handle (NOT the final index: locals are moved before globals when written). sectionIndex 0 = undefined. */
    public int addSymbol(String name, int bind, int type, int visibility, int sectionIndex, long value, long size) {
        requireName(name, "symbol name");
        if (bind != ElfSymbol.STB_LOCAL && bind != ElfSymbol.STB_GLOBAL && bind != ElfSymbol.STB_WEAK) {
            throw new IllegalArgumentException("symbol " + name + ": unknown binding " + bind);
        }
        if (type == ElfSymbol.STT_SECTION || type == ElfSymbol.STT_FILE) {
            throw new IllegalArgumentException("symbol " + name + ": section and file symbols are added with "
                    + "sectionSymbol and addFileSymbol");
        }
        if (type != ElfSymbol.STT_NOTYPE && type != ElfSymbol.STT_OBJECT && type != ElfSymbol.STT_FUNC
                && type != STT_COMMON && type != STT_TLS) {
            throw new IllegalArgumentException("symbol " + name + ": unknown type " + type);
        }
        if (visibility < ElfSymbol.STV_DEFAULT || visibility > ElfSymbol.STV_PROTECTED) {
            throw new IllegalArgumentException("symbol " + name + ": unknown visibility " + visibility);
        }
        if (sectionIndex == ElfSymbol.SHN_UNDEF || sectionIndex == ElfSymbol.SHN_COMMON) {
            if (bind == ElfSymbol.STB_LOCAL) {
                throw new IllegalArgumentException("symbol " + name + ": a local symbol must be defined");
            }
        } else if (sectionIndex != ElfSymbol.SHN_ABS) {
            long limit = section(sectionIndex).size();
            if (value < 0 || size < 0 || value > limit || size > limit - value) {
                throw new IllegalArgumentException(String.format("symbol %s: 0x%x bytes at 0x%x lie outside section"
                        + " [%d] %s (0x%x bytes)", name, size, value, sectionIndex, section(sectionIndex).name(), limit));
            }
        }
        symbols.add(new Symbol(name, bind, type, visibility, sectionIndex, value, size));
        return symbols.size() - 1;
    }

    /** A local STT_FILE symbol naming the source file, which the linker and readelf show for the locals after it. */
    public int addFileSymbol(String fileName) {
        requireName(fileName, "file name");
        symbols.add(new Symbol(fileName, ElfSymbol.STB_LOCAL, ElfSymbol.STT_FILE, ElfSymbol.STV_DEFAULT,
                ElfSymbol.SHN_ABS, 0, 0));
        return symbols.size() - 1;
    }

    /** The STT_SECTION symbol of a section (created once, reused). */
    public int sectionSymbol(int sectionIndex) {
        section(sectionIndex);
        return sectionSymbols.computeIfAbsent(sectionIndex, index -> {
            symbols.add(new Symbol("", ElfSymbol.STB_LOCAL, ElfSymbol.STT_SECTION, ElfSymbol.STV_DEFAULT,
                    index, 0, 0));
            return symbols.size() - 1;
        });
    }

    /** Adds an Elf64_Rela to the .rela section of {@code sectionIndex} (created on demand, named ".rela" + name, SHF_INFO_LINK). */
    public void addRelocation(int sectionIndex, long offset, int type, int symbolHandle, long addend) {
        Section target = section(sectionIndex);
        if (target.type() == ElfSection.SHT_NOBITS) {
            throw new IllegalArgumentException("section " + target.name() + " has no bytes to relocate");
        }
        if (symbolHandle < 0 || symbolHandle >= symbols.size()) {
            throw new IllegalArgumentException("unknown symbol handle " + symbolHandle + " (" + symbols.size()
                    + " symbols added)");
        }
        if (type < 0) {
            throw new IllegalArgumentException("unknown relocation type " + Integer.toUnsignedString(type));
        }
        int width = RelocationWidths.of(ElfFile.EM_X86_64, type);
        if (offset < 0 || offset > target.size() - width) {
            throw new IllegalArgumentException(String.format("relocation type %d at 0x%x: %d bytes do not fit section"
                    + " [%d] %s (0x%x bytes)", type, offset, width, sectionIndex, target.name(), target.size()));
        }
        checkMergedTarget(symbols.get(symbolHandle), type, addend);
        if (!relocations.containsKey(sectionIndex)) {
            requireRoomForSection(".rela" + target.name());
        }
        relocations.computeIfAbsent(sectionIndex, index -> new ArrayList<>())
                .add(new Relocation(offset, type, symbolHandle, addend));
    }

    /** The whole file: header, sections in the order added, .rela sections, .symtab (locals first, sh_info = first global), .strtab, .shstrtab, section headers. */
    public byte[] toBytes() {
        return ElfObjectLayout.write(sections, symbols, relocations);
    }

    private int add(Section section) {
        requireRoomForSection(section.name());
        sections.add(section);
        return sections.size();
    }

    private void requireRoomForSection(String name) {
        if (sections.size() + relocations.size() + FIXED_SECTIONS >= MAX_SECTIONS) {
            throw new IllegalArgumentException("section " + name + ": more than " + MAX_SECTIONS
                    + " sections would need extended section numbering, which this writer does not write");
        }
    }

    private Section section(int index) {
        if (index < 1 || index > sections.size()) {
            throw new IllegalArgumentException("unknown section index " + index + " (" + sections.size()
                    + " sections added)");
        }
        return sections.get(index - 1);
    }

    /**
     * ld finds what a section symbol + addend means in a merged section (strings, constants it may share with
     * other objects and move) by the entry at the addend. For a PC-relative field the addend is the entry's offset
     * less the distance to the next instruction, so ld would pick the entry before (or run off the section) and
     * the code would silently use another string. gas never emits such a relocation for this reason; it keeps a
     * local symbol at the entry, and so must the caller.
     */
    private void checkMergedTarget(Symbol symbol, int type, long addend) {
        if (symbol.type() != ElfSymbol.STT_SECTION) {
            return;
        }
        Section target = section(symbol.section());
        if ((target.flags() & ElfSection.SHF_MERGE) == 0) {
            return;
        }
        if (PC_RELATIVE.contains(type)) {
            throw new IllegalArgumentException("relocation type " + type + " against the section symbol of merged "
                    + "section " + target.name() + ": ld would resolve it to the entry at the addend, not the one "
                    + "meant; relocate against a local symbol at the entry instead");
        }
        if (addend < 0 || addend >= target.size()) {
            throw new IllegalArgumentException(String.format("relocation against merged section %s at addend %d "
                    + "lies outside its 0x%x bytes", target.name(), addend, target.size()));
        }
    }

    private static void checkHeader(String name, long flags, long align, long entsize) {
        if (align < 0 || (align != 0 && Long.bitCount(align) != 1) || align > MAX_ALIGNMENT) {
            throw new IllegalArgumentException("section " + name + ": alignment " + align
                    + " is not a power of two up to " + MAX_ALIGNMENT);
        }
        if (entsize < 0) {
            throw new IllegalArgumentException("section " + name + ": negative entsize " + entsize);
        }
        if ((flags & (SHF_LINK_ORDER | SHF_GROUP | ElfSection.SHF_INFO_LINK)) != 0) {
            throw new IllegalArgumentException(String.format("section %s: flags 0x%x need sh_link, sh_info or a group"
                    + " this writer does not set", name, flags));
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " " + (name == null ? "missing" : "contains a NUL: " + name));
        }
    }
}
