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
 * Lets a live patch use what vmlinux does not export (a static function, {@code saved_command_line}): the module
 * loader cannot resolve such a symbol, but the livepatch core can, through the kernel's own symbol table, when the
 * module carries it in the documented livepatch ELF format (Documentation/livepatch/module-elf-format.rst). Each
 * such undefined symbol is renamed {@code .klp.sym.vmlinux.NAME,SYMPOS} and marked {@code SHN_LIVEPATCH}, and the
 * relocations against it move out of their {@code .rela} section into {@code .klp.rela.vmlinux.SECTION} flagged
 * {@code SHF_RELA_LIVEPATCH} (and SHF_ALLOC, so the section stays in memory for the livepatch core), which the
 * kernel applies when the patch module loads. kpatch-build's
 * create-klp-module does the same. The new tables are appended to the file and the section headers written anew
 * after them; nothing already in the file moves. x86-64 ELF64 modules only.
 */
public final class KlpRelocations {
    static final int SHN_LIVEPATCH = 0xff20;
    static final long SHF_RELA_LIVEPATCH = 0x00100000L;
    static final long SHF_INFO_LINK = 0x40L;
    private static final int SYM_SIZE = 24;
    private static final int RELA_SIZE = 24;
    private static final int SHDR_SIZE = 64;

    private KlpRelocations() {
    }

    /**
     * Rewrites {@code ko} so that the undefined symbols named in {@code sympos} (name → position among the
     * kernel's symbols of that name, 0 = unique) are resolved by the livepatch core. Returns {@code ko} unchanged
     * when there is nothing to convert.
     */
    public static byte[] convert(byte[] ko, Map<String, Integer> sympos) throws ElfFormatException {
        ElfFile elf = ElfFile.parse(ko);
        if (!elf.is64Bit() || elf.byteOrder() != ByteOrder.LITTLE_ENDIAN || elf.machine() != ElfFile.EM_X86_64
                || elf.type() != ElfFile.ET_REL) {
            throw new ElfFormatException("klp relocations are written for x86-64 ELF64 modules only");
        }
        ElfSection symtab = elf.sections().stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst()
                .orElseThrow(() -> new ElfFormatException("the module has no symbol table"));
        ElfSection strtab = elf.section(symtab.link());
        Map<Integer, String> klp = new LinkedHashMap<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.sectionIndex() == ElfSymbol.SHN_UNDEF && sympos.containsKey(s.name()) && !s.name().isEmpty()) {
                klp.put(s.index(), s.name());
            }
        }
        if (klp.isEmpty()) {
            return ko;
        }
        ByteBuffer out = ByteBuffer.wrap(ko.clone()).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        int base = align(ko.length);

        // The renamed symbols: a new string table, the old one with the klp names after it.
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.writeBytes(strtab.contents());
        for (Map.Entry<Integer, String> e : klp.entrySet()) {
            int nameAt = names.size();
            names.writeBytes((".klp.sym.vmlinux." + e.getValue() + "," + sympos.get(e.getValue()))
                    .getBytes(StandardCharsets.US_ASCII));
            names.write(0);
            int entry = (int) symtab.offset() + e.getKey() * SYM_SIZE;
            out.putInt(entry, nameAt);
            out.putShort(entry + 6, (short) SHN_LIVEPATCH);
        }
        long strtabAt = base + tail.size();
        tail.writeBytes(pad(names.toByteArray()));

        // Relocations against them leave their .rela section for a .klp.rela one per target section.
        record KlpSection(String name, int target, byte[] entries) {
        }
        List<KlpSection> added = new ArrayList<>();
        Map<Integer, Long> shrunk = new LinkedHashMap<>();
        for (ElfSection rela : elf.sections()) {
            // Relocations of sections the loader does not allocate (debug info) are never applied: left alone.
            if (rela.type() != ElfSection.SHT_RELA || rela.link() != symtab.index()
                    || (elf.section((int) rela.info()).flags() & ElfSection.SHF_ALLOC) == 0) {
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
            int at = (int) rela.offset();
            for (ElfRelocation r : keep) {
                write(out, at, r);
                at += RELA_SIZE;
            }
            shrunk.put(rela.index(), (long) keep.size() * RELA_SIZE);
            ByteBuffer moved = ByteBuffer.allocate(move.size() * RELA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < move.size(); i++) {
                write(moved, i * RELA_SIZE, move.get(i));
            }
            ElfSection target = elf.section((int) rela.info());
            added.add(new KlpSection(".klp.rela.vmlinux." + target.name(), target.index(), moved.array()));
        }

        // Section names: the old .shstrtab with the new names after it.
        int shstrndx = Short.toUnsignedInt(out.getShort(0x3E));
        ElfSection shstrtab = elf.section(shstrndx);
        ByteArrayOutputStream sectionNames = new ByteArrayOutputStream();
        sectionNames.writeBytes(shstrtab.contents());
        List<Integer> nameOffsets = new ArrayList<>();
        for (KlpSection s : added) {
            nameOffsets.add(sectionNames.size());
            sectionNames.writeBytes(s.name().getBytes(StandardCharsets.US_ASCII));
            sectionNames.write(0);
        }
        long shstrtabAt = base + tail.size();
        tail.writeBytes(pad(sectionNames.toByteArray()));
        List<Long> addedAt = new ArrayList<>();
        for (KlpSection s : added) {
            addedAt.add((long) base + tail.size());
            tail.writeBytes(pad(s.entries()));
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
            headers.putLong(h + 32, added.get(i).entries().length);
            headers.putInt(h + 40, symtab.index());
            headers.putInt(h + 44, added.get(i).target());
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
