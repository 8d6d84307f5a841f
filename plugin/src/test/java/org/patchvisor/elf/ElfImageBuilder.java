package org.patchvisor.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small synthetic relocatable ELF images in any class and byte order, for the layouts no committed
 * fixture covers (ELF32, big-endian, SHT_REL). Sections: null, .text, .note.gnu.build-id, .symtab, .strtab,
 * .rela.text or .rel.text, .shstrtab.
 */
final class ElfImageBuilder {
    static final byte[] BUILD_ID = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x01, 0x23};
    static final int TEXT = 1;
    static final int NOTE = 2;
    static final int SYMTAB = 3;
    static final int STRTAB = 4;
    static final int RELOC = 5;
    static final int SHSTRTAB = 6;

    private final boolean is64;
    private final ByteOrder order;
    private final boolean rela;

    ElfImageBuilder(boolean is64, ByteOrder order, boolean rela) {
        this.is64 = is64;
        this.order = order;
        this.rela = rela;
    }

    byte[] build() {
        List<Section> sections = new ArrayList<>();
        byte[] text = new byte[16];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) (0x90 + i);
        }
        StringTable shstr = new StringTable();
        StringTable str = new StringTable();
        String relocName = rela ? ".rela.text" : ".rel.text";
        sections.add(new Section(shstr.add(".text"), ElfSection.SHT_PROGBITS, 6, text, 0, 0, 16, 0));
        sections.add(new Section(shstr.add(".note.gnu.build-id"), ElfSection.SHT_NOTE, 2, note(), 0, 0, 4, 0));
        int symSize = is64 ? 24 : 16;
        ByteBuffer sym = buffer(symSize * 3);
        sym.position(symSize);
        symbol(sym, str.add("patched_function"), 0x4, 8, (1 << 4) | ElfSymbol.STT_FUNC, TEXT);
        symbol(sym, str.add("printk"), 0, 0, 1 << 4, 0);
        sections.add(new Section(shstr.add(".symtab"), ElfSection.SHT_SYMTAB, 0, sym.array(), STRTAB, 1, 8, symSize));
        sections.add(new Section(shstr.add(".strtab"), ElfSection.SHT_STRTAB, 0, str.bytes(), 0, 0, 1, 0));
        int word = is64 ? 8 : 4;
        int relSize = (rela ? 3 : 2) * word;
        ByteBuffer rel = buffer(relSize * 2);
        relocation(rel, 0x5, 2, 4, -4);
        relocation(rel, 0xa, 1, 2, 0x10);
        sections.add(new Section(shstr.add(relocName), rela ? ElfSection.SHT_RELA : ElfSection.SHT_REL, 0,
                rel.array(), SYMTAB, TEXT, word, relSize));
        int shstrName = shstr.add(".shstrtab");
        sections.add(new Section(shstrName, ElfSection.SHT_STRTAB, 0, shstr.bytes(), 0, 0, 1, 0));
        return layout(sections);
    }

    private byte[] note() {
        ByteBuffer b = buffer(12 + 4 + 8);
        b.putInt(4).putInt(BUILD_ID.length).putInt(ElfNote.NT_GNU_BUILD_ID);
        b.put("GNU\0".getBytes(StandardCharsets.US_ASCII)).put(BUILD_ID);
        return b.array();
    }

    private void symbol(ByteBuffer b, int name, long value, long size, int info, int shndx) {
        b.putInt(name);
        if (is64) {
            b.put((byte) info).put((byte) 0).putShort((short) shndx).putLong(value).putLong(size);
        } else {
            b.putInt((int) value).putInt((int) size).put((byte) info).put((byte) 0).putShort((short) shndx);
        }
    }

    private void relocation(ByteBuffer b, long offset, int symbol, int type, long addend) {
        if (is64) {
            b.putLong(offset).putLong(((long) symbol << 32) | type);
            if (rela) {
                b.putLong(addend);
            }
        } else {
            b.putInt((int) offset).putInt((symbol << 8) | type);
            if (rela) {
                b.putInt((int) addend);
            }
        }
    }

    private byte[] layout(List<Section> sections) {
        int headerSize = is64 ? 64 : 52;
        int entrySize = is64 ? 64 : 40;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[headerSize]);
        long[] offsets = new long[sections.size()];
        for (int i = 0; i < sections.size(); i++) {
            while (body.size() % 8 != 0) {
                body.write(0);
            }
            offsets[i] = body.size();
            body.writeBytes(sections.get(i).data);
        }
        while (body.size() % 8 != 0) {
            body.write(0);
        }
        long tableOffset = body.size();
        int count = sections.size() + 1;
        ByteBuffer table = buffer(entrySize * count);
        table.position(entrySize);
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            table.putInt(s.name).putInt(s.type);
            if (is64) {
                table.putLong(s.flags).putLong(0).putLong(offsets[i]).putLong(s.data.length)
                        .putInt(s.link).putInt(s.info).putLong(s.align).putLong(s.entsize);
            } else {
                table.putInt((int) s.flags).putInt(0).putInt((int) offsets[i]).putInt(s.data.length)
                        .putInt(s.link).putInt(s.info).putInt(s.align).putInt(s.entsize);
            }
        }
        body.writeBytes(table.array());
        ByteBuffer image = ByteBuffer.wrap(body.toByteArray()).order(order);
        image.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1),
                (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        image.position(16);
        image.putShort((short) ElfFile.ET_REL).putShort((short) (is64 ? ElfFile.EM_X86_64 : 3)).putInt(1);
        if (is64) {
            image.putLong(0).putLong(0).putLong(tableOffset).putInt(0);
        } else {
            image.putInt(0).putInt(0).putInt((int) tableOffset).putInt(0);
        }
        image.putShort((short) headerSize).putShort((short) 0).putShort((short) 0)
                .putShort((short) entrySize).putShort((short) count).putShort((short) SHSTRTAB);
        return image.array();
    }

    private ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(order);
    }

    private record Section(int name, int type, long flags, byte[] data, int link, int info, int align, int entsize) {
    }

    private static final class StringTable {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        StringTable() {
            out.write(0);
        }

        int add(String s) {
            int at = out.size();
            out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            return at;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
