package org.patchvisor.elf;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the ELF identification, file header and section header table into an {@link ElfFile}, checking each
 * section's name and byte range against the image so that later accessors cannot run out of bounds.
 */
final class ElfHeaderParser {
    private static final int EI_NIDENT = 16;
    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int EV_CURRENT = 1;
    /** e_shstrndx value meaning "the real index is in sh_link of section 0". */
    private static final int SHN_XINDEX = 0xffff;

    private final byte[] data;
    private boolean is64;
    private ElfReader in;

    ElfHeaderParser(byte[] data) {
        this.data = data;
    }

    ElfFile parse() throws ElfFormatException {
        if (data.length < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') {
            throw new ElfFormatException("not an ELF file (bad magic)");
        }
        if (data.length < EI_NIDENT) {
            throw new ElfFormatException("truncated ELF: identification needs " + EI_NIDENT
                    + " bytes, file has " + data.length);
        }
        int elfClass = data[4] & 0xff;
        if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64) {
            throw new ElfFormatException("unsupported ELF class " + elfClass + " (expected 1 = ELF32 or 2 = ELF64)");
        }
        is64 = elfClass == ELFCLASS64;
        int encoding = data[5] & 0xff;
        if (encoding != ELFDATA2LSB && encoding != ELFDATA2MSB) {
            throw new ElfFormatException("unsupported ELF data encoding " + encoding
                    + " (expected 1 = little-endian or 2 = big-endian)");
        }
        ByteOrder order = encoding == ELFDATA2LSB ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        if ((data[6] & 0xff) != EV_CURRENT) {
            throw new ElfFormatException("unsupported ELF version " + (data[6] & 0xff) + " (expected 1)");
        }
        in = new ElfReader(data, order);
        in.require(0, is64 ? 64 : 52, "ELF header");
        int type = in.u16(16, "e_type");
        int machine = in.u16(18, "e_machine");
        List<ElfSection> sections = sections();
        return ElfFile.of(data, is64, order, type, machine, sections);
    }

    private List<ElfSection> sections() throws ElfFormatException {
        long tableOffset = in.word(is64 ? 40 : 32, is64, "e_shoff");
        int entrySize = in.u16(is64 ? 58 : 46, "e_shentsize");
        long count = in.u16(is64 ? 60 : 48, "e_shnum");
        long namesIndex = in.u16(is64 ? 62 : 50, "e_shstrndx");
        if (tableOffset == 0) {
            return List.of();
        }
        int minimum = is64 ? 64 : 40;
        if (entrySize < minimum) {
            throw new ElfFormatException("unsupported section header entry size " + entrySize
                    + " (expected at least " + minimum + ")");
        }
        if (count == 0 || namesIndex == SHN_XINDEX) {
            // Extended numbering: the real values live in the null section header.
            RawHeader zero = header(tableOffset, entrySize, 0, 1);
            count = count == 0 ? zero.size : count;
            namesIndex = namesIndex == SHN_XINDEX ? zero.link & 0xffffffffL : namesIndex;
        }
        if (count == 0) {
            return List.of();
        }
        if (count < 0 || count > (data.length - Math.min(tableOffset, data.length)) / entrySize) {
            throw new ElfFormatException(String.format(
                    "truncated ELF: section header table at 0x%x (%s entries of %d bytes) runs past end of file (%d bytes)",
                    tableOffset, Long.toUnsignedString(count), entrySize, data.length));
        }
        int n = (int) count;
        List<RawHeader> raw = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            raw.add(header(tableOffset, entrySize, i, n));
        }
        RawHeader names = null;
        if (namesIndex != 0) {
            if (namesIndex >= n) {
                throw new ElfFormatException("section name string table index " + namesIndex
                        + " out of range (" + n + " sections)");
            }
            names = raw.get((int) namesIndex);
            if (names.type == ElfSection.SHT_NOBITS || names.type == ElfSection.SHT_NULL) {
                throw new ElfFormatException("section name string table [" + namesIndex + "] has no bytes in the file");
            }
            in.require(names.offset, names.size, "section name string table [" + namesIndex + "]");
        }
        List<ElfSection> sections = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RawHeader h = raw.get(i);
            String name = names == null ? "" : name(i, h, names);
            if (h.type != ElfSection.SHT_NOBITS && h.type != ElfSection.SHT_NULL) {
                in.require(h.offset, h.size, "section [" + i + "] " + name);
            }
            sections.add(new ElfSection(i, name, h.type, h.flags, h.address, h.offset, h.size,
                    h.link, h.info, h.alignment, h.entrySize, data));
        }
        return sections;
    }

    private String name(int index, RawHeader header, RawHeader names) throws ElfFormatException {
        if (header.nameOffset >= names.size) {
            throw new ElfFormatException(String.format(
                    "section [%d] name offset 0x%x outside the section name string table (0x%x bytes)",
                    index, header.nameOffset, names.size));
        }
        return in.cString(names.offset + header.nameOffset, names.offset + names.size, "section [" + index + "] name");
    }

    private RawHeader header(long tableOffset, int entrySize, int index, long count) throws ElfFormatException {
        long base = tableOffset + (long) index * entrySize;
        String what = String.format("section header table (%s entries of %d bytes)",
                Long.toUnsignedString(count), entrySize);
        in.require(tableOffset, Math.max(entrySize, (long) (index + 1) * entrySize), what);
        RawHeader h = new RawHeader();
        h.nameOffset = in.u32(base, "sh_name");
        h.type = (int) in.u32(base + 4, "sh_type");
        if (is64) {
            h.flags = in.u64(base + 8, "sh_flags");
            h.address = in.u64(base + 16, "sh_addr");
            h.offset = in.u64(base + 24, "sh_offset");
            h.size = in.u64(base + 32, "sh_size");
            h.link = (int) in.u32(base + 40, "sh_link");
            h.info = in.u32(base + 44, "sh_info");
            h.alignment = in.u64(base + 48, "sh_addralign");
            h.entrySize = in.u64(base + 56, "sh_entsize");
        } else {
            h.flags = in.u32(base + 8, "sh_flags");
            h.address = in.u32(base + 12, "sh_addr");
            h.offset = in.u32(base + 16, "sh_offset");
            h.size = in.u32(base + 20, "sh_size");
            h.link = (int) in.u32(base + 24, "sh_link");
            h.info = in.u32(base + 28, "sh_info");
            h.alignment = in.u32(base + 32, "sh_addralign");
            h.entrySize = in.u32(base + 36, "sh_entsize");
        }
        return h;
    }

    /** Header fields before names and ranges are checked. */
    private static final class RawHeader {
        long nameOffset;
        int type;
        long flags;
        long address;
        long offset;
        long size;
        int link;
        long info;
        long alignment;
        long entrySize;
    }
}
