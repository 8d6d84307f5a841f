package org.patchvisor.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out what an {@link ElfObjectWriter} holds as an ELF64 little-endian x86-64 file: the ELF header, each
 * section's bytes at an offset aligned to its sh_addralign, then the section header table. Symbols are ordered as
 * the gABI requires (all locals before the first global, STT_FILE symbols leading), so handles map to new indexes.
 */
final class ElfObjectLayout {
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int RELA_SIZE = 24;

    private record Header(int name, int type, long flags, int link, int info, long align, long entsize,
                          byte[] bytes, long size) {
    }

    private ElfObjectLayout() {
    }

    static byte[] write(List<ElfObjectWriter.Section> sections, List<ElfObjectWriter.Symbol> symbols,
                        Map<Integer, List<ElfObjectWriter.Relocation>> relocations) {
        StringTable sectionNames = new StringTable();
        List<Header> headers = new ArrayList<>();
        headers.add(new Header(0, ElfSection.SHT_NULL, 0, 0, 0, 0, 0, new byte[0], 0));
        for (ElfObjectWriter.Section s : sections) {
            headers.add(new Header(sectionNames.add(s.name()), s.type(), s.flags(), 0, 0, s.align(), s.entsize(),
                    s.contents(), s.size()));
        }
        int symtab = headers.size() + relocations.size();

        int[] index = new int[symbols.size()];
        int next = 1;
        for (int pass = 0; pass < 3; pass++) {
            for (int handle = 0; handle < symbols.size(); handle++) {
                ElfObjectWriter.Symbol s = symbols.get(handle);
                boolean local = s.bind() == ElfSymbol.STB_LOCAL;
                boolean file = s.type() == ElfSymbol.STT_FILE;
                if (pass == 0 ? file : pass == 1 ? local && !file : !local) {
                    index[handle] = next++;
                }
            }
        }
        int firstGlobal = 1 + (int) symbols.stream().filter(s -> s.bind() == ElfSymbol.STB_LOCAL).count();

        for (Map.Entry<Integer, List<ElfObjectWriter.Relocation>> e : relocations.entrySet()) {
            ByteBuffer rela = buffer(e.getValue().size() * RELA_SIZE);
            for (ElfObjectWriter.Relocation r : e.getValue()) {
                rela.putLong(r.offset()).putLong(((long) index[r.symbol()] << 32) | (r.type() & 0xffffffffL))
                        .putLong(r.addend());
            }
            String name = ".rela" + sections.get(e.getKey() - 1).name();
            headers.add(new Header(sectionNames.add(name), ElfSection.SHT_RELA, ElfSection.SHF_INFO_LINK, symtab,
                    e.getKey(), 8, RELA_SIZE, rela.array(), rela.capacity()));
        }

        StringTable names = new StringTable();
        ByteBuffer table = buffer((symbols.size() + 1) * SYM_SIZE);
        for (int handle = 0; handle < symbols.size(); handle++) {
            ElfObjectWriter.Symbol s = symbols.get(handle);
            table.position(index[handle] * SYM_SIZE);
            table.putInt(names.add(s.name()))
                    .put((byte) ((s.bind() << 4) | s.type())).put((byte) s.visibility())
                    .putShort((short) s.section()).putLong(s.value()).putLong(s.size());
        }
        headers.add(new Header(sectionNames.add(".symtab"), ElfSection.SHT_SYMTAB, 0, symtab + 1, firstGlobal, 8,
                SYM_SIZE, table.array(), table.capacity()));
        byte[] strtab = names.bytes();
        headers.add(new Header(sectionNames.add(".strtab"), ElfSection.SHT_STRTAB, 0, 0, 0, 1, 0, strtab,
                strtab.length));
        int shstrtabName = sectionNames.add(".shstrtab");
        byte[] shstrtab = sectionNames.bytes();
        headers.add(new Header(shstrtabName, ElfSection.SHT_STRTAB, 0, 0, 0, 1, 0, shstrtab, shstrtab.length));
        return layout(headers);
    }

    private static byte[] layout(List<Header> headers) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[EHDR_SIZE]);
        ByteBuffer table = buffer(headers.size() * SHDR_SIZE);
        for (int i = 0; i < headers.size(); i++) {
            Header h = headers.get(i);
            long offset = 0;
            if (i > 0) {
                pad(body, Math.max(1, h.align()));
                offset = body.size();
                if (h.type() != ElfSection.SHT_NOBITS) {
                    body.writeBytes(h.bytes());
                }
            }
            table.putInt(h.name()).putInt(h.type()).putLong(h.flags()).putLong(0).putLong(offset).putLong(h.size())
                    .putInt(h.link()).putInt(h.info()).putLong(h.align()).putLong(h.entsize());
        }
        pad(body, 8);
        long shoff = body.size();
        body.writeBytes(table.array());

        ByteBuffer file = ByteBuffer.wrap(body.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE; the rest is zero.
        file.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        file.position(16);
        file.putShort((short) ElfFile.ET_REL).putShort((short) ElfFile.EM_X86_64).putInt(1)
                .putLong(0).putLong(0).putLong(shoff).putInt(0)
                .putShort((short) EHDR_SIZE).putShort((short) 0).putShort((short) 0)
                .putShort((short) SHDR_SIZE).putShort((short) headers.size()).putShort((short) (headers.size() - 1));
        return file.array();
    }

    private static void pad(ByteArrayOutputStream out, long alignment) {
        out.writeBytes(new byte[(int) ((alignment - out.size() % alignment) % alignment)]);
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A string table: offset 0 is the empty string, each distinct name is stored once. */
    private static final class StringTable {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new LinkedHashMap<>();

        StringTable() {
            out.write(0);
        }

        int add(String name) {
            if (name.isEmpty()) {
                return 0;
            }
            return offsets.computeIfAbsent(name, n -> {
                int at = out.size();
                out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                out.write(0);
                return at;
            });
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
