package org.patchvisor.publish;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * Lets a live patch use what vmlinux or a module does not export (a static function, {@code saved_command_line}):
 * the module loader cannot resolve such a symbol, but the livepatch core can, through the kernel's own symbol
 * table, when the module carries it in the documented livepatch ELF format
 * (Documentation/livepatch/module-elf-format.rst). Each such undefined symbol bears the name
 * {@code .klp.sym.OBJNAME.NAME,SYMPOS} and is marked {@code SHN_LIVEPATCH}, and the relocations against it move out
 * of their {@code .rela} section into {@code .klp.rela.OBJNAME.SECTION} flagged {@code SHF_RELA_LIVEPATCH} (and
 * SHF_ALLOC, so the section stays in memory for the livepatch core), which the kernel applies when the patch module
 * loads. kpatch-build's create-klp-module does the same. The names come either from a symbol map ({@link #convert},
 * which renames vmlinux symbols) or from the build that wrote them already ({@link #convertNamed}); the rewrite after
 * that is one. The new tables are appended to the file and the section headers written anew after them; nothing
 * already in the file moves. x86-64 ELF64 modules only.
 */
public final class KlpRelocations {
    static final int SHN_LIVEPATCH = 0xff20;
    static final long SHF_RELA_LIVEPATCH = 0x00100000L;
    static final long SHF_INFO_LINK = ElfSection.SHF_INFO_LINK;
    private static final int SYM_SIZE = 24;
    private static final int RELA_SIZE = 24;
    private static final int SHDR_SIZE = 64;

    private KlpRelocations() {
    }

    /**
     * Rewrites {@code ko} so that the undefined symbols named in {@code sympos} (name → position among the
     * kernel's symbols of that name, 0 = unique) are renamed {@code .klp.sym.vmlinux.NAME,POS} and resolved by the
     * livepatch core. Returns {@code ko} unchanged when there is nothing to convert.
     */
    public static byte[] convert(byte[] ko, Map<String, Integer> sympos) throws ElfFormatException {
        ElfFile elf = module(ko);
        Map<Integer, KlpSymbolName> klp = new LinkedHashMap<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.isUndefined() && !s.name().isEmpty() && sympos.containsKey(s.name())) {
                klp.put(s.index(), KlpSymbolName.of(KlpSymbolName.VMLINUX, s.name(), sympos.get(s.name())));
            }
        }
        return rewrite(ko, elf, klp);
    }

    /**
     * Rewrites {@code ko} so that every undefined symbol already named {@code .klp.sym.OBJNAME.NAME,POS} (by the
     * build that wrote the object) is resolved by the livepatch core; names are kept. Returns {@code ko} unchanged
     * when there is no such symbol. A malformed klp name, or a relocation against such a symbol that the livepatch
     * core would never apply, is refused.
     */
    public static byte[] convertNamed(byte[] ko) throws ElfFormatException {
        ElfFile elf = module(ko);
        Map<Integer, KlpSymbolName> klp = new LinkedHashMap<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.isUndefined() && s.name().startsWith(KlpSymbolName.PREFIX)) {
                klp.put(s.index(), KlpSymbolName.parse(s.name()));
            }
        }
        return rewrite(ko, elf, klp);
    }

    private static ElfFile module(byte[] ko) throws ElfFormatException {
        ElfFile elf = ElfFile.parse(ko);
        if (!elf.is64Bit() || elf.byteOrder() != ByteOrder.LITTLE_ENDIAN || elf.machine() != ElfFile.EM_X86_64
                || elf.type() != ElfFile.ET_REL) {
            throw new ElfFormatException("klp relocations are written for x86-64 ELF64 modules only");
        }
        return elf;
    }

    /** Gives the symbols at the keys of {@code klp} their klp names and SHN_LIVEPATCH, and moves their relocations. */
    private static byte[] rewrite(byte[] ko, ElfFile elf, Map<Integer, KlpSymbolName> klp) throws ElfFormatException {
        if (klp.isEmpty()) {
            return ko;
        }
        ElfSection symtab = elf.sections().stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst()
                .orElseThrow(() -> new ElfFormatException("the module has no symbol table"));
        ElfSection strtab = elf.section(symtab.link());
        List<ElfSymbol> symbols = elf.symbols();
        ByteBuffer out = ByteBuffer.wrap(ko.clone()).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        int base = align(ko.length);

        // Symbols not yet bearing their klp name get it in a new string table: the old one with the names after it.
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.writeBytes(strtab.contents());
        for (Map.Entry<Integer, KlpSymbolName> e : klp.entrySet()) {
            int entry = (int) symtab.offset() + e.getKey() * SYM_SIZE;
            if (!symbols.get(e.getKey()).name().equals(e.getValue().name())) {
                out.putInt(entry, names.size());
                names.writeBytes(e.getValue().name().getBytes(StandardCharsets.US_ASCII));
                names.write(0);
            }
            out.putShort(entry + 6, (short) SHN_LIVEPATCH);
        }
        long strtabAt = base + tail.size();
        tail.writeBytes(pad(names.toByteArray()));

        // Relocations against them leave their .rela section for a .klp.rela one per object and target section.
        record KlpSection(String name, int target, List<ElfRelocation> entries) {
        }
        Map<String, KlpSection> added = new LinkedHashMap<>();
        Map<Integer, Long> shrunk = new LinkedHashMap<>();
        for (ElfSection rela : elf.sections()) {
            if ((rela.type() != ElfSection.SHT_RELA && rela.type() != ElfSection.SHT_REL)
                    || rela.link() != symtab.index()) {
                continue;
            }
            List<ElfRelocation> keep = new ArrayList<>();
            List<ElfRelocation> move = new ArrayList<>();
            for (ElfRelocation r : elf.relocations(rela)) {
                (klp.containsKey(r.symbolIndex()) ? move : keep).add(r);
            }
            if (move.isEmpty()) {
                continue;
            }
            ElfSection target = elf.section((int) rela.info());
            if (rela.type() != ElfSection.SHT_RELA || (target.flags() & ElfSection.SHF_ALLOC) == 0) {
                // The kernel applies klp relocations to allocated sections only (and as RELA on x86-64).
                ElfRelocation r = move.get(0);
                throw new ElfFormatException(String.format("%s: the relocation at 0x%x against %s cannot be applied"
                        + " by the livepatch core (%s)", rela.name(), r.offset(), klp.get(r.symbolIndex()),
                        rela.type() != ElfSection.SHT_RELA ? "not a RELA section"
                                : target.name() + " is not allocated"));
            }
            int at = (int) rela.offset();
            for (ElfRelocation r : keep) {
                write(out, at, r);
                at += RELA_SIZE;
            }
            shrunk.put(rela.index(), (long) keep.size() * RELA_SIZE);
            for (ElfRelocation r : move) {
                String name = ".klp.rela." + klp.get(r.symbolIndex()).object() + "." + target.name();
                added.computeIfAbsent(name + "\0" + target.index(),
                        key -> new KlpSection(name, target.index(), new ArrayList<>())).entries().add(r);
            }
        }

        // Section names: the old .shstrtab with the new names after it.
        int shstrndx = Short.toUnsignedInt(out.getShort(0x3E));
        ElfSection shstrtab = elf.section(shstrndx);
        ByteArrayOutputStream sectionNames = new ByteArrayOutputStream();
        sectionNames.writeBytes(shstrtab.contents());
        List<Integer> nameOffsets = new ArrayList<>();
        for (KlpSection s : added.values()) {
            nameOffsets.add(sectionNames.size());
            sectionNames.writeBytes(s.name().getBytes(StandardCharsets.US_ASCII));
            sectionNames.write(0);
        }
        long shstrtabAt = base + tail.size();
        tail.writeBytes(pad(sectionNames.toByteArray()));
        List<Long> addedAt = new ArrayList<>();
        List<KlpSection> klpSections = List.copyOf(added.values());
        for (KlpSection s : klpSections) {
            addedAt.add((long) base + tail.size());
            ByteBuffer entries = ByteBuffer.allocate(s.entries().size() * RELA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < s.entries().size(); i++) {
                write(entries, i * RELA_SIZE, s.entries().get(i));
            }
            tail.writeBytes(entries.array());
        }

        // The section header table, copied and amended, then the new headers.
        long oldShoff = out.getLong(0x28);
        int shnum = Short.toUnsignedInt(out.getShort(0x3C));
        ByteBuffer headers = ByteBuffer.allocate((shnum + added.size()) * SHDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        headers.put(0, ko, (int) oldShoff, shnum * SHDR_SIZE);
        setLocation(headers, strtab.index(), strtabAt, names.size());
        setLocation(headers, shstrndx, shstrtabAt, sectionNames.size());
        shrunk.forEach((index, size) -> headers.putLong(index * SHDR_SIZE + 32, size));
        for (int i = 0; i < added.size(); i++) {
            int h = (shnum + i) * SHDR_SIZE;
            headers.putInt(h, nameOffsets.get(i));
            headers.putInt(h + 4, ElfSection.SHT_RELA);
            headers.putLong(h + 8, SHF_RELA_LIVEPATCH | SHF_INFO_LINK | ElfSection.SHF_ALLOC);
            headers.putLong(h + 24, addedAt.get(i));
            headers.putLong(h + 32, (long) klpSections.get(i).entries().size() * RELA_SIZE);
            headers.putInt(h + 40, symtab.index());
            headers.putInt(h + 44, klpSections.get(i).target());
            headers.putLong(h + 48, 8);
            headers.putLong(h + 56, RELA_SIZE);
        }
        long shoff = base + tail.size();
        tail.writeBytes(headers.array());
        out.putLong(0x28, shoff);
        out.putShort(0x3C, (short) (shnum + added.size()));

        ByteArrayOutputStream result = new ByteArrayOutputStream(base + tail.size());
        result.writeBytes(out.array());
        result.writeBytes(new byte[base - ko.length]);
        result.writeBytes(tail.toByteArray());
        return result.toByteArray();
    }

    private static void write(ByteBuffer to, int at, ElfRelocation r) {
        to.putLong(at, r.offset());
        to.putLong(at + 8, ((long) r.symbolIndex() << 32) | (r.type() & 0xffffffffL));
        to.putLong(at + 16, r.addend());
    }

    private static void setLocation(ByteBuffer headers, int index, long offset, long size) {
        headers.putLong(index * SHDR_SIZE + 24, offset);
        headers.putLong(index * SHDR_SIZE + 32, size);
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    private static byte[] pad(byte[] data) {
        byte[] padded = new byte[align(data.length)];
        System.arraycopy(data, 0, padded, 0, data.length);
        return padded;
    }
}
