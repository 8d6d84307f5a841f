package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected values for the real module come from {@code readelf -h/-S/-s/-r/-n} on the fixture. */
class ElfFileTest {

    private final ElfFile livepatch = parse(Fixtures.bytes(Fixtures.LIVEPATCH));

    @Test
    void readsHeaderAndSectionsOfARealModule() {
        assertTrue(livepatch.is64Bit());
        assertEquals(ByteOrder.LITTLE_ENDIAN, livepatch.byteOrder());
        assertEquals(ElfFile.ET_REL, livepatch.type());
        assertEquals(ElfFile.EM_X86_64, livepatch.machine());
        assertEquals(30, livepatch.sections().size());
        ElfSection text = livepatch.section(".text").orElseThrow();
        assertEquals(3, text.index());
        assertEquals(0xa0, text.offset());
        assertEquals(0x4f, text.size());
        assertTrue(text.isExecutable());
        assertEquals(".shstrtab", livepatch.sections().get(29).name());
        assertEquals(ElfSection.SHT_NOBITS, livepatch.section(".bss").orElseThrow().type());
        assertEquals(0, livepatch.section(".bss").orElseThrow().contents().length);
        assertTrue(livepatch.section(".no-such-section").isEmpty());
    }

    @Test
    void sectionContentsAreTheFileBytes() {
        byte[] modinfo = livepatch.section(".modinfo").orElseThrow().contents();
        assertEquals(0xbf, modinfo.length);
        String text = new String(modinfo, StandardCharsets.UTF_8);
        assertTrue(text.contains("livepatch=Y\0"), text);
        modinfo[0] = 'X';
        assertFalse(livepatch.section(".modinfo").orElseThrow().contents()[0] == 'X', "contents must be a copy");
    }

    @Test
    void readsTheSymbolTable() throws ElfFormatException {
        List<ElfSymbol> symbols = livepatch.symbols();
        assertEquals(30, symbols.size());
        assertEquals(new ElfSymbol(15, "livepatch_cmdline_proc_show", 0x30, 31, ElfSymbol.STT_FUNC,
                ElfSymbol.STB_LOCAL, 3), symbols.get(15));
        assertEquals(new ElfSymbol(23, "__this_module", 0, 896, ElfSymbol.STT_OBJECT, ElfSymbol.STB_GLOBAL, 22),
                symbols.get(23));
        ElfSymbol seqPrintf = symbols.get(29);
        assertEquals("seq_printf", seqPrintf.name());
        assertTrue(seqPrintf.isUndefined());
        assertEquals(ElfSymbol.STT_SECTION, symbols.get(1).type());
        // livepatch_exit, livepatch_init, livepatch_cmdline_proc_show, cleanup_module, init_module
        assertEquals(5, symbols.stream().filter(ElfSymbol::isFunction).count());
    }

    @Test
    void readsRelocationsOfText() throws ElfFormatException {
        ElfSection text = livepatch.section(".text").orElseThrow();
        ElfSection rela = livepatch.relocationSectionFor(text).orElseThrow();
        assertEquals(".rela.text", rela.name());
        List<ElfRelocation> relocations = livepatch.relocations(rela);
        assertEquals(10, relocations.size());
        // readelf: 0000000000000001  0000001a00000004 R_X86_64_PLT32  __fentry__ - 4
        assertEquals(new ElfRelocation(1, 0x1a, 4, -4, true), relocations.get(0));
        // readelf: 0000000000000018  000000040000000b R_X86_64_32S  .data + 0
        assertEquals(new ElfRelocation(0x18, 4, 0xb, 0, true), relocations.get(3));
        assertEquals("__fentry__", livepatch.symbols().get(relocations.get(0).symbolIndex()).name());
        assertThrows(IllegalArgumentException.class, () -> livepatch.relocations(text));
    }

    @Test
    void readsNotesAndBuildIdAsReadelfShowsThem() throws ElfFormatException {
        // readelf -n: GNU NT_GNU_BUILD_ID d4a42d..., Linux 0x4 "func", Linux 0xf "OPEN"
        assertEquals("d4a42d645709ed559d379bc059c6b6fdef0c3396", livepatch.gnuBuildId().orElseThrow());
        List<ElfNote> notes = livepatch.notes();
        assertEquals(3, notes.size());
        assertEquals("Linux", notes.get(2).name());
        assertArrayEquals("6.1.0-56-amd64\0".getBytes(StandardCharsets.US_ASCII), notes.get(2).descriptor());
    }

    @Test
    void readsAFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.ko");
        Files.write(file, Fixtures.bytes(Fixtures.LIVEPATCH));
        assertEquals(30, ElfFile.read(file).sections().size());
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.read(file));
        assertEquals(file + ": not an ELF file (bad magic)", e.getMessage());
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(true, ByteOrder.LITTLE_ENDIAN, true),
                Arguments.of(true, ByteOrder.BIG_ENDIAN, true),
                Arguments.of(false, ByteOrder.LITTLE_ENDIAN, true),
                Arguments.of(false, ByteOrder.BIG_ENDIAN, true),
                Arguments.of(true, ByteOrder.BIG_ENDIAN, false),
                Arguments.of(false, ByteOrder.LITTLE_ENDIAN, false));
    }

    @ParameterizedTest(name = "64-bit={0} {1} rela={2}")
    @MethodSource("layouts")
    void readsEveryClassAndByteOrder(boolean is64, ByteOrder order, boolean rela) throws ElfFormatException {
        ElfFile elf = ElfFile.parse(new ElfImageBuilder(is64, order, rela).build());
        assertEquals(is64, elf.is64Bit());
        assertEquals(order, elf.byteOrder());
        assertEquals(7, elf.sections().size());
        ElfSection text = elf.section(".text").orElseThrow();
        assertEquals(0x90, text.contents()[0] & 0xff);

        List<ElfSymbol> symbols = elf.symbols();
        assertEquals(3, symbols.size());
        assertEquals(new ElfSymbol(1, "patched_function", 4, 8, ElfSymbol.STT_FUNC, ElfSymbol.STB_GLOBAL,
                ElfImageBuilder.TEXT), symbols.get(1));
        assertEquals("printk", symbols.get(2).name());

        ElfSection relocs = elf.relocationSectionFor(text).orElseThrow();
        assertEquals(rela ? ".rela.text" : ".rel.text", relocs.name());
        List<ElfRelocation> entries = elf.relocations(relocs);
        assertEquals(List.of(
                new ElfRelocation(5, 2, 4, rela ? -4 : 0, rela),
                new ElfRelocation(0xa, 1, 2, rela ? 0x10 : 0, rela)), entries);

        assertEquals(HexFormat.of().formatHex(ElfImageBuilder.BUILD_ID), elf.gnuBuildId().orElseThrow());
    }

    static ElfFile parse(byte[] bytes) {
        try {
            return ElfFile.parse(bytes);
        } catch (ElfFormatException e) {
            throw new AssertionError(e);
        }
    }
}
