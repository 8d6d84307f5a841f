package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile and damaged input must end in {@link ElfFormatException} with a clear message, never in another
 * exception. Offsets below are those of the livepatch_sample.ko fixture (readelf -h -S): section header table
 * at 5024 (0x13a0), 30 entries of 64 bytes, .shstrtab [29] of 0x124 bytes, .symtab [27], .strtab [28].
 */
class MalformedElfTest {
    private static final int SHOFF = 5024;
    private static final int SHENT = 64;

    private final byte[] module = Fixtures.bytes(Fixtures.LIVEPATCH);

    @Test
    void everyTruncationOfAModuleIsAFormatError() {
        for (int length = 0; length < module.length; length++) {
            byte[] prefix = Arrays.copyOf(module, length);
            assertThrows(ElfFormatException.class, () -> ElfFile.parse(prefix), "prefix of " + length + " bytes");
            assertThrows(ElfFormatException.class, () -> ModuleFiles.parse(prefix), "prefix of " + length + " bytes");
        }
    }

    @Test
    void everyTruncationOfASignedModuleIsAFormatErrorOrAnUnsignedImage() {
        byte[] signed = Fixtures.bytes(Fixtures.SIGNED);
        int elfLength = 8376;
        for (int length = 0; length < signed.length; length++) {
            byte[] prefix = Arrays.copyOf(signed, length);
            if (length < elfLength) {
                assertThrows(ElfFormatException.class, () -> ModuleFiles.parse(prefix), "prefix of " + length);
            } else {
                // The whole ELF image is still there; without the trailer the rest is ignored, as the kernel does.
                assertOnlyFormatErrors(prefix);
            }
        }
    }

    @Test
    void rejectsBadMagic() {
        for (byte[] bytes : new byte[][] {{}, {0x7f, 'E', 'L'}, "MZ\u0090\u0000".getBytes(), "\u007fELG-more".getBytes()}) {
            ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.parse(bytes));
            assertEquals("not an ELF file (bad magic)", e.getMessage());
        }
    }

    @Test
    void rejectsUnknownClassAndEncoding() {
        byte[] badClass = module.clone();
        badClass[4] = 3;
        assertEquals("unsupported ELF class 3 (expected 1 = ELF32 or 2 = ELF64)", message(badClass));
        byte[] badEncoding = module.clone();
        badEncoding[5] = 0;
        assertEquals("unsupported ELF data encoding 0 (expected 1 = little-endian or 2 = big-endian)",
                message(badEncoding));
        assertEquals("truncated ELF: identification needs 16 bytes, file has 10",
                message(Arrays.copyOf(module, 10)));
    }

    @Test
    void rejectsASectionTableOutOfBounds() {
        byte[] bytes = module.clone();
        putLong(bytes, 0x28, module.length - 100);
        assertEquals("truncated ELF: section header table at 0x1abc (30 entries of 64 bytes) runs past end of file"
                + " (6944 bytes)", message(bytes));
        putLong(bytes, 0x28, -1L);
        assertTrue(message(bytes).startsWith("truncated ELF: section header table"), message(bytes));
    }

    @Test
    void rejectsHugeExtendedSectionCounts() {
        byte[] bytes = module.clone();
        putShort(bytes, 0x3c, 0);
        putLong(bytes, SHOFF + 32, 1L << 62);
        assertEquals("truncated ELF: section header table at 0x13a0 (4611686018427387904 entries of 64 bytes)"
                + " runs past end of file (6944 bytes)", message(bytes));
    }

    @Test
    void rejectsAnEntrySizeTooSmall() {
        byte[] bytes = module.clone();
        putShort(bytes, 0x3a, 0);
        assertEquals("unsupported section header entry size 0 (expected at least 64)", message(bytes));
    }

    @Test
    void rejectsANameTableIndexOutOfRange() {
        byte[] bytes = module.clone();
        putShort(bytes, 0x3e, 30);
        assertEquals("section name string table index 30 out of range (30 sections)", message(bytes));
    }

    @Test
    void rejectsANameOffsetOutsideTheNameTable() {
        byte[] bytes = module.clone();
        putInt(bytes, SHOFF + 3 * SHENT, 0xffff);
        assertEquals("section [3] name offset 0xffff outside the section name string table (0x124 bytes)",
                message(bytes));
    }

    @Test
    void rejectsANameTableWithoutTerminator() {
        byte[] bytes = module.clone();
        long namesOffset = 0x1278;
        long namesSize = 0x124;
        Arrays.fill(bytes, (int) namesOffset, (int) (namesOffset + namesSize), (byte) 'a');
        assertTrue(message(bytes).contains("is not NUL-terminated"), message(bytes));
    }

    @Test
    void rejectsSectionBytesOutOfBounds() {
        byte[] bytes = module.clone();
        putLong(bytes, SHOFF + 3 * SHENT + 32, 0x100000);
        assertEquals("truncated ELF: section [3] .text at 0xa0 (0x100000 bytes) runs past end of file (6944 bytes)",
                message(bytes));
        putLong(bytes, SHOFF + 3 * SHENT + 32, 0x4f);
        putLong(bytes, SHOFF + 3 * SHENT + 24, -8L);
        assertTrue(message(bytes).startsWith("truncated ELF: section [3] .text at 0xfffffffffffffff8"), message(bytes));
    }

    @Test
    void rejectsASymbolTableWithABadLink() throws ElfFormatException {
        byte[] bytes = module.clone();
        putInt(bytes, SHOFF + 27 * SHENT + 40, 99);
        ElfFile elf = ElfFile.parse(bytes);
        ElfFormatException e = assertThrows(ElfFormatException.class, elf::symbols);
        assertEquals(".symtab: string table index 99 out of range (30 sections)", e.getMessage());
    }

    @Test
    void rejectsASymbolNameOutsideTheStringTable() throws ElfFormatException {
        byte[] bytes = module.clone();
        putInt(bytes, 0xb10 + 15 * 24, 0xfffff);
        ElfFile elf = ElfFile.parse(bytes);
        ElfFormatException e = assertThrows(ElfFormatException.class, elf::symbols);
        assertEquals(".symtab: symbol 15 name offset 0xfffff outside .strtab (0x1c3 bytes)", e.getMessage());
    }

    @Test
    void rejectsARelocationTableWithARaggedSize() throws ElfFormatException {
        byte[] bytes = module.clone();
        putLong(bytes, SHOFF + 4 * SHENT + 32, 0xf0 - 5);
        ElfFile elf = ElfFile.parse(bytes);
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> elf.relocations(elf.section(".rela.text").orElseThrow()));
        assertEquals("relocation section .rela.text: size 0xeb is not a multiple of its entry size 24", e.getMessage());
    }

    @Test
    void randomDamageNeverEscapesAsAnotherException() {
        Random random = new Random(20240611);
        byte[] signed = Fixtures.bytes(Fixtures.SIGNED);
        int parsed = 0;
        int rejected = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] bytes = (round % 2 == 0 ? module : signed).clone();
            int changes = 1 + random.nextInt(6);
            for (int i = 0; i < changes; i++) {
                // Most damage goes to the header and section table, where offsets and counts live.
                int at = random.nextInt(4) == 0 ? random.nextInt(64)
                        : random.nextInt(2) == 0 ? SHOFF + random.nextInt(30 * SHENT) % (bytes.length - SHOFF)
                        : random.nextInt(bytes.length);
                bytes[at] = (byte) (random.nextInt(3) == 0 ? 0xff : random.nextInt(256));
            }
            if (assertOnlyFormatErrors(bytes)) {
                parsed++;
            } else {
                rejected++;
            }
        }
        // Both outcomes must be common, or the damage is not reaching the parser's interesting paths.
        assertTrue(parsed > 100 && rejected > 100, parsed + " parsed, " + rejected + " rejected");
    }

    /**
     * Runs every accessor; anything but success or ElfFormatException fails the test.
     * Returns whether the module was read without error.
     */
    private static boolean assertOnlyFormatErrors(byte[] bytes) {
        try {
            ElfFile elf = ElfFile.parse(bytes);
            elf.symbols();
            elf.notes();
            for (ElfSection section : elf.sections()) {
                section.contents();
                if (section.type() == ElfSection.SHT_RELA || section.type() == ElfSection.SHT_REL) {
                    elf.relocations(section);
                }
            }
        } catch (ElfFormatException expected) {
            assertTrue(!expected.getMessage().isBlank());
        } catch (RuntimeException | OutOfMemoryError e) {
            fail("parsing damaged ELF threw " + e, e);
        }
        try {
            ModuleFiles.inspect(bytes);
            return true;
        } catch (ElfFormatException expected) {
            assertTrue(!expected.getMessage().isBlank());
            return false;
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new AssertionError("reading a damaged module threw " + e, e);
        }
    }

    private static String message(byte[] bytes) {
        return assertThrows(ElfFormatException.class, () -> ElfFile.parse(bytes)).getMessage();
    }

    private static void putLong(byte[] bytes, int at, long value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
    }

    private static void putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    private static void putShort(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    }
}
