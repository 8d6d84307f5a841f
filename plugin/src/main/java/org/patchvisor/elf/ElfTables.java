package org.patchvisor.elf;

import java.util.ArrayList;
import java.util.List;

/** Decodes the fixed-size entry tables of an {@link ElfFile}: symbols and relocations. */
final class ElfTables {

    private ElfTables() {
    }

    static List<ElfSymbol> symbols(ElfFile file, ElfReader in, ElfSection symtab) throws ElfFormatException {
        boolean is64 = file.is64Bit();
        long entrySize = entrySize(symtab, is64 ? 24 : 16, "symbol table");
        ElfSection strings = linked(file, symtab, "string table");
        int count = (int) (symtab.size() / entrySize);
        List<ElfSymbol> symbols = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long base = symtab.offset() + i * entrySize;
            long nameOffset = in.u32(base, "st_name");
            long value;
            long size;
            int info;
            int sectionIndex;
            if (is64) {
                info = in.u8(base + 4, "st_info");
                sectionIndex = in.u16(base + 6, "st_shndx");
                value = in.u64(base + 8, "st_value");
                size = in.u64(base + 16, "st_size");
            } else {
                value = in.u32(base + 4, "st_value");
                size = in.u32(base + 8, "st_size");
                info = in.u8(base + 12, "st_info");
                sectionIndex = in.u16(base + 14, "st_shndx");
            }
            String name = symbolName(in, strings, nameOffset, symtab, i);
            symbols.add(new ElfSymbol(i, name, value, size, info & 0xf, info >>> 4, sectionIndex));
        }
        return List.copyOf(symbols);
    }

    static List<ElfRelocation> relocations(ElfFile file, ElfReader in, ElfSection section) throws ElfFormatException {
        boolean rela = section.type() == ElfSection.SHT_RELA;
        if (!rela && section.type() != ElfSection.SHT_REL) {
            throw new IllegalArgumentException("section " + section.name() + " is not a relocation section");
        }
        boolean is64 = file.is64Bit();
        int standard = (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);
        long entrySize = entrySize(section, standard, "relocation section");
        int count = (int) (section.size() / entrySize);
        List<ElfRelocation> result = new ArrayList<>(count);
        int word = is64 ? 8 : 4;
        for (int i = 0; i < count; i++) {
            long base = section.offset() + i * entrySize;
            long offset = in.word(base, is64, "r_offset");
            long info = in.word(base + word, is64, "r_info");
            int symbol = (int) (is64 ? info >>> 32 : info >>> 8);
            int type = (int) (is64 ? info & 0xffffffffL : info & 0xff);
            long addend = 0;
            if (rela) {
                long raw = in.word(base + 2L * word, is64, "r_addend");
                addend = is64 ? raw : (int) raw;
            }
            result.add(new ElfRelocation(offset, symbol, type, addend, rela));
        }
        return List.copyOf(result);
    }

    private static long entrySize(ElfSection section, int standard, String what) throws ElfFormatException {
        long entrySize = section.entrySize();
        if (entrySize < standard) {
            throw new ElfFormatException(String.format("%s %s: entry size %d, expected at least %d",
                    what, section.name(), entrySize, standard));
        }
        if (section.size() % entrySize != 0) {
            throw new ElfFormatException(String.format("%s %s: size 0x%x is not a multiple of its entry size %d",
                    what, section.name(), section.size(), entrySize));
        }
        return entrySize;
    }

    private static ElfSection linked(ElfFile file, ElfSection section, String what) throws ElfFormatException {
        int link = section.link();
        if (link <= 0 || link >= file.sections().size()) {
            throw new ElfFormatException(String.format("%s: %s index %s out of range (%d sections)",
                    section.name(), what, Integer.toUnsignedString(link), file.sections().size()));
        }
        ElfSection linked = file.sections().get(link);
        if (!linked.hasFileBytes()) {
            throw new ElfFormatException(section.name() + ": " + what + " [" + link + "] has no bytes in the file");
        }
        return linked;
    }

    private static String symbolName(ElfReader in, ElfSection strings, long nameOffset, ElfSection symtab, int index)
            throws ElfFormatException {
        if (nameOffset == 0) {
            return "";
        }
        if (nameOffset >= strings.size()) {
            throw new ElfFormatException(String.format("%s: symbol %d name offset 0x%x outside %s (0x%x bytes)",
                    symtab.name(), index, nameOffset, strings.name(), strings.size()));
        }
        return in.cString(strings.offset() + nameOffset, strings.offset() + strings.size(),
                symtab.name() + " symbol " + index + " name");
    }
}
