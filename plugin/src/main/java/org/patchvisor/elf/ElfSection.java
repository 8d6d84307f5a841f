package org.patchvisor.elf;

import java.util.Arrays;

/**
 * One section of an {@link ElfFile}: its header fields and its bytes. The range was checked against the file
 * when the file was parsed, so {@link #contents()} cannot fail.
 */
public final class ElfSection {
    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_MERGE = 0x10;
    public static final long SHF_STRINGS = 0x20;
    /** {@code sh_info} holds a section index (set on relocation sections). */
    public static final long SHF_INFO_LINK = 0x40;

    private final int index;
    private final String name;
    private final int type;
    private final long flags;
    private final long address;
    private final long offset;
    private final long size;
    private final int link;
    private final long info;
    private final long alignment;
    private final long entrySize;
    private final byte[] file;

    ElfSection(int index, String name, int type, long flags, long address, long offset, long size,
               int link, long info, long alignment, long entrySize, byte[] file) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.flags = flags;
        this.address = address;
        this.offset = offset;
        this.size = size;
        this.link = link;
        this.info = info;
        this.alignment = alignment;
        this.entrySize = entrySize;
        this.file = file;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    /** {@code sh_type}, one of the {@code SHT_*} constants or an OS/processor specific value. */
    public int type() {
        return type;
    }

    public long flags() {
        return flags;
    }

    public long address() {
        return address;
    }

    public long offset() {
        return offset;
    }

    public long size() {
        return size;
    }

    /** {@code sh_link}: for a symbol table its string table, for a relocation section its symbol table. */
    public int link() {
        return link;
    }

    /** {@code sh_info}: for a relocation section the index of the section it applies to. */
    public long info() {
        return info;
    }

    public long alignment() {
        return alignment;
    }

    public long entrySize() {
        return entrySize;
    }

    /** True when the section occupies bytes in the file (everything but SHT_NULL and SHT_NOBITS). */
    public boolean hasFileBytes() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    /** A copy of the section's bytes; empty for sections that occupy no file space. */
    public byte[] contents() {
        if (!hasFileBytes()) {
            return new byte[0];
        }
        return Arrays.copyOfRange(file, (int) offset, (int) (offset + size));
    }

    @Override
    public String toString() {
        return String.format("[%d] %s type=%d offset=0x%x size=0x%x", index, name, type, offset, size);
    }
}
