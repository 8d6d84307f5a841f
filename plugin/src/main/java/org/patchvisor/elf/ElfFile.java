package org.patchvisor.elf;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed ELF image (ELF32 or ELF64, either byte order): header, section headers with names, and on demand
 * its symbols, relocations and notes. Kernel modules are relocatable ELF files, and comparing two builds of
 * an object file works on exactly these pieces. Every offset and size is checked against the image when it
 * is parsed, so hostile input ends in {@link ElfFormatException}, never in an index error or a huge allocation.
 */
public final class ElfFile {
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;

    private final byte[] data;
    private final boolean is64;
    private final ByteOrder order;
    private final int type;
    private final int machine;
    private final List<ElfSection> sections;

    private ElfFile(byte[] data, boolean is64, ByteOrder order, int type, int machine, List<ElfSection> sections) {
        this.data = data;
        this.is64 = is64;
        this.order = order;
        this.type = type;
        this.machine = machine;
        this.sections = sections;
    }

    /** Parses a copy of {@code image}. */
    public static ElfFile parse(byte[] image) throws ElfFormatException {
        return new ElfHeaderParser(image.clone()).parse();
    }

    /** Reads and parses a file; the message of a format error names the file. */
    public static ElfFile read(Path file) throws IOException {
        byte[] bytes = FileBytes.read(file);
        try {
            return new ElfHeaderParser(bytes).parse();
        } catch (ElfFormatException e) {
            throw new ElfFormatException(file + ": " + e.getMessage());
        }
    }

    static ElfFile of(byte[] data, boolean is64, ByteOrder order, int type, int machine, List<ElfSection> sections) {
        return new ElfFile(data, is64, order, type, machine, List.copyOf(sections));
    }

    public boolean is64Bit() {
        return is64;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    /** {@code e_type}: {@link #ET_REL} for object files and kernel modules. */
    public int type() {
        return type;
    }

    /** {@code e_machine}, e.g. {@link #EM_X86_64}. */
    public int machine() {
        return machine;
    }

    public int length() {
        return data.length;
    }

    /** All sections in header order; index 0 is the null section when the file has any. */
    public List<ElfSection> sections() {
        return sections;
    }

    public Optional<ElfSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public ElfSection section(int index) throws ElfFormatException {
        if (index < 0 || index >= sections.size()) {
            throw new ElfFormatException("section index " + index + " out of range (" + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** The entries of {@code .symtab}; empty when the file has none (fully stripped). */
    public List<ElfSymbol> symbols() throws ElfFormatException {
        Optional<ElfSection> symtab = sections.stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst();
        if (symtab.isEmpty()) {
            return List.of();
        }
        return ElfTables.symbols(this, reader(), symtab.get());
    }

    /** The entries of an SHT_RELA or SHT_REL section. */
    public List<ElfRelocation> relocations(ElfSection relocationSection) throws ElfFormatException {
        return ElfTables.relocations(this, reader(), relocationSection);
    }

    /** The SHT_RELA/SHT_REL section whose entries apply to {@code target} (e.g. .rela.text for .text). */
    public Optional<ElfSection> relocationSectionFor(ElfSection target) {
        return sections.stream()
                .filter(s -> s.type() == ElfSection.SHT_RELA || s.type() == ElfSection.SHT_REL)
                .filter(s -> s.info() == target.index())
                .findFirst();
    }

    /** Notes of every SHT_NOTE section, in section order. */
    public List<ElfNote> notes() throws ElfFormatException {
        List<ElfNote> notes = new ArrayList<>();
        for (ElfSection section : sections) {
            if (section.type() == ElfSection.SHT_NOTE) {
                int alignment = section.alignment() == 8 ? 8 : 4;
                try {
                    notes.addAll(ElfNotes.parse(section.contents(), order, alignment));
                } catch (ElfFormatException e) {
                    throw new ElfFormatException("section " + section.name() + ": " + e.getMessage());
                }
            }
        }
        return List.copyOf(notes);
    }

    /** Lower-case hex of the GNU build-id note, if the file carries one. */
    public Optional<String> gnuBuildId() throws ElfFormatException {
        return ElfNotes.gnuBuildId(notes());
    }

    private ElfReader reader() {
        return new ElfReader(data, order);
    }
}
