package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects written by {@link ElfObjectWriter} read back with the project's reader, checked by readelf and objdump,
 * and linked by gcc and ld with gcc-compiled code into programs that run. The machine code is assembled by hand
 * from the x86-64 encodings noted beside each byte string.
 */
class ElfObjectWriterTest {
    private static final int R_X86_64_64 = 1;
    private static final int R_X86_64_PC32 = 2;
    private static final int R_X86_64_PLT32 = 4;
    private static final long AX = ElfSection.SHF_ALLOC | ElfSection.SHF_EXECINSTR;
    private static final long AMS = ElfSection.SHF_ALLOC | ElfSection.SHF_MERGE | ElfSection.SHF_STRINGS;

    /** mov $42,%eax; ret */
    private static final byte[] ANSWER = bytes(0xb8, 0x2a, 0, 0, 0, 0xc3);
    /** sub $8,%rsp; call helper (rel32 at 5); add $1,%eax; add $8,%rsp; ret: helper(x) + 1, stack kept aligned. */
    private static final byte[] CALLS_HELPER = bytes(0x48, 0x83, 0xec, 0x08, 0xe8, 0, 0, 0, 0, 0x83, 0xc0, 0x01,
            0x48, 0x83, 0xc4, 0x08, 0xc3);
    /** lea rel32(%rip),%rax (rel32 at 3); ret */
    private static final byte[] LEA_RAX = bytes(0x48, 0x8d, 0x05, 0, 0, 0, 0, 0xc3);

    @TempDir
    Path tmp;

    @Test
    void whatWasAddedReadsBackWithTheProjectsReader() throws Exception {
        ElfObjectWriter w = new ElfObjectWriter();
        int file = w.addFileSymbol("patch.c");
        byte[] data = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        int dataSection = w.addSection(".data.table", ElfSection.SHT_PROGBITS,
                ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE, 8, 0, data);
        int bss = w.addNobits(".bss.counter", ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE, 32, 64);
        int text = w.addSection(".text.answer", ElfSection.SHT_PROGBITS, AX, 16, 0, CALLS_HELPER);
        int answer = w.addSymbol("answer", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0,
                CALLS_HELPER.length);
        int helper = w.addSymbol("helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, 0, 0, 0);
        int table = w.addSymbol("table", ElfSymbol.STB_LOCAL, ElfSymbol.STT_OBJECT, ElfSymbol.STV_DEFAULT,
                dataSection, 8, 8);
        int counter = w.addSymbol("counter", ElfSymbol.STB_WEAK, ElfSymbol.STT_OBJECT, ElfSymbol.STV_HIDDEN, bss, 0, 4);
        int bssSymbol = w.sectionSymbol(bss);
        assertEquals(bssSymbol, w.sectionSymbol(bss), "one section symbol per section");
        w.addRelocation(text, 5, R_X86_64_PLT32, helper, -4);
        w.addRelocation(dataSection, 0, R_X86_64_64, answer, 0);
        w.addRelocation(dataSection, 8, R_X86_64_64, bssSymbol, 16);
        w.addRelocation(text, 0, R_X86_64_PC32, counter, -4);

        ElfFile elf = ElfFile.parse(w.toBytes());
        assertTrue(elf.is64Bit());
        assertEquals(ElfFile.ET_REL, elf.type());
        assertEquals(ElfFile.EM_X86_64, elf.machine());
        List<String> names = elf.sections().stream().map(ElfSection::name).toList();
        assertEquals(List.of("", ".data.table", ".bss.counter", ".text.answer", ".rela.data.table",
                ".rela.text.answer", ".symtab", ".strtab", ".shstrtab"), names);
        assertSection(elf.section(dataSection), ElfSection.SHT_PROGBITS, ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE,
                8, data);
        assertSection(elf.section(text), ElfSection.SHT_PROGBITS, AX, 16, CALLS_HELPER);
        ElfSection nobits = elf.section(bss);
        assertEquals(ElfSection.SHT_NOBITS, nobits.type());
        assertEquals(64, nobits.size());
        assertEquals(32, nobits.alignment());

        List<ElfSymbol> symbols = elf.symbols();
        ElfSection symtab = elf.section(".symtab").orElseThrow();
        assertEquals(elf.section(".strtab").orElseThrow().index(), symtab.link());
        assertEquals(8, symtab.alignment());
        assertEquals(24, symtab.entrySize());
        int firstGlobal = (int) symtab.info();
        assertEquals(List.of("patch.c", "table", ""), symbols.subList(1, firstGlobal).stream()
                .map(ElfSymbol::name).toList(), "locals first, the file symbol leading");
        assertTrue(symbols.subList(firstGlobal, symbols.size()).stream()
                .noneMatch(s -> s.bind() == ElfSymbol.STB_LOCAL));
        ElfSymbol fileSymbol = symbols.get(1);
        assertEquals(ElfSymbol.STT_FILE, fileSymbol.type());
        assertEquals(ElfSymbol.SHN_ABS, fileSymbol.sectionIndex());
        assertEquals(new ElfSymbol(firstGlobal - 1, "", 0, 0, ElfSymbol.STT_SECTION, ElfSymbol.STB_LOCAL, bss),
                symbols.get(firstGlobal - 1));
        assertEquals(new ElfSymbol(2, "table", 8, 8, ElfSymbol.STT_OBJECT, ElfSymbol.STB_LOCAL, dataSection),
                symbols.get(2));
        ElfSymbol answerSymbol = named(symbols, "answer");
        assertEquals(new ElfSymbol(answerSymbol.index(), "answer", 0, CALLS_HELPER.length, ElfSymbol.STT_FUNC,
                ElfSymbol.STB_GLOBAL, text), answerSymbol);
        ElfSymbol helperSymbol = named(symbols, "helper");
        assertTrue(helperSymbol.isUndefined());
        ElfSymbol counterSymbol = named(symbols, "counter");
        assertEquals(new ElfSymbol(counterSymbol.index(), "counter", 0, 4, ElfSymbol.STT_OBJECT, ElfSymbol.STB_WEAK,
                bss), counterSymbol);

        ElfSection textRela = elf.relocationSectionFor(elf.section(text)).orElseThrow();
        assertRelaHeader(textRela, symtab, text);
        assertEquals(List.of(new ElfRelocation(5, helperSymbol.index(), R_X86_64_PLT32, -4, true),
                new ElfRelocation(0, counterSymbol.index(), R_X86_64_PC32, -4, true)), elf.relocations(textRela));
        ElfSection dataRela = elf.relocationSectionFor(elf.section(dataSection)).orElseThrow();
        assertRelaHeader(dataRela, symtab, dataSection);
        assertEquals(List.of(new ElfRelocation(0, answerSymbol.index(), R_X86_64_64, 0, true),
                new ElfRelocation(8, firstGlobal - 1, R_X86_64_64, 16, true)), elf.relocations(dataRela));
        for (ElfSection s : elf.sections()) {
            assertEquals(0, s.offset() % Math.max(1, s.alignment()), s + " is aligned to " + s.alignment());
        }
        assertArrayEquals(w.toBytes(), w.toBytes(), "writing twice gives the same file");
    }

    @Test
    void readelfAndObjdumpAcceptTheObject() throws Exception {
        HostTools.require("readelf", "objdump");
        ElfObjectWriter w = new ElfObjectWriter();
        w.addFileSymbol("patch.c");
        int text = w.addSection(".text.calls_helper", ElfSection.SHT_PROGBITS, AX, 16, 0, CALLS_HELPER);
        w.addSymbol("calls_helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0,
                CALLS_HELPER.length);
        int helper = w.addSymbol("helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, 0, 0, 0);
        int strings = w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1, cStrings("a", "b"));
        w.addSymbol("hidden_data", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_OBJECT, ElfSymbol.STV_HIDDEN,
                strings, 0, 2);
        w.addRelocation(text, 5, R_X86_64_PLT32, helper, -4);
        Path object = Files.write(tmp.resolve("patch.o"), w.toBytes());

        HostTools.Run readelf = HostTools.run(tmp, "readelf", "-a", "-W", object.toString()).succeeded();
        assertFalse(readelf.err().contains("Warning") || readelf.err().contains("Error"), readelf::toString);
        assertFalse(readelf.out().contains("Warning") || readelf.out().contains("Error"), readelf::toString);
        assertTrue(readelf.out().contains("REL (Relocatable file)"), readelf::toString);
        assertTrue(readelf.out().contains("Advanced Micro Devices X86-64"), readelf::toString);
        assertTrue(readelf.out().matches("(?s).*FILE +LOCAL +DEFAULT +ABS patch\\.c.*"), readelf::toString);
        assertTrue(readelf.out().matches("(?s).*OBJECT +GLOBAL +HIDDEN +\\d+ hidden_data.*"), readelf::toString);
        HostTools.Run objdump = HostTools.run(tmp, "objdump", "-dr", object.toString()).succeeded();
        assertTrue(objdump.out().matches("(?s).*call.*R_X86_64_PLT32\\s+helper-0x4.*"), objdump::toString);
        assertTrue(objdump.out().contains("<calls_helper>:"), objdump::toString);
    }

    @Test
    void gccLinksHandWrittenFunctionsIntoAProgramThatRuns() throws Exception {
        HostTools.require("gcc");
        ElfObjectWriter w = new ElfObjectWriter();
        int answerText = w.addSection(".text.answer", ElfSection.SHT_PROGBITS, AX, 16, 0, ANSWER);
        w.addSymbol("answer", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, answerText, 0,
                ANSWER.length);
        int callsText = w.addSection(".text.calls_helper", ElfSection.SHT_PROGBITS, AX, 16, 0, CALLS_HELPER);
        w.addSymbol("calls_helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, callsText, 0,
                CALLS_HELPER.length);
        int helper = w.addSymbol("helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, 0, 0, 0);
        w.addRelocation(callsText, 5, R_X86_64_PLT32, helper, -4);

        HostTools.Run run = link(w, """
                #include <stdio.h>
                int answer(void);
                int calls_helper(int);
                int helper(int x) { return 3 * x; }
                int main(void) { printf("%d %d\\n", answer(), calls_helper(5)); return answer() - 40; }
                """);
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("42 16\n", run.out(), run::toString);
    }

    @Test
    void aMergedStringIsReachedPcRelativeThroughALocalSymbolAtIt() throws Exception {
        HostTools.require("gcc");
        ElfObjectWriter w = new ElfObjectWriter();
        int rodata = w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1, cStrings("hello", "world"));
        int world = w.addSymbol(".LC1", ElfSymbol.STB_LOCAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, rodata,
                6, 0);
        int text = w.addSection(".text.greeting", ElfSection.SHT_PROGBITS, AX, 16, 0, LEA_RAX);
        w.addSymbol("greeting", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0,
                LEA_RAX.length);
        // S + A - P at the rel32 field, which ends 4 bytes before the next instruction.
        w.addRelocation(text, 3, R_X86_64_PC32, world, -4);

        // main.c's own "hello" comes first, so ld moves ours: only a reference through a symbol survives that.
        HostTools.Run run = link(w, """
                #include <stdio.h>
                const char *greeting(void);
                int main(void) { puts("hello"); puts("zzzz"); return puts(greeting()) < 0; }
                """);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("hello\nzzzz\nworld\n", run.out(), run::toString);
    }

    @Test
    void aMergedStringIsReachedAbsoluteThroughItsSectionSymbolAndAddend() throws Exception {
        HostTools.require("gcc");
        ElfObjectWriter w = new ElfObjectWriter();
        int rodata = w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1, cStrings("hello", "world"));
        int pointer = w.addSection(".data.rel.ro.greeting", ElfSection.SHT_PROGBITS,
                ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE, 8, 0, new byte[8]);
        w.addSymbol("greeting", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_OBJECT, ElfSymbol.STV_DEFAULT, pointer, 0, 8);
        w.addRelocation(pointer, 0, R_X86_64_64, w.sectionSymbol(rodata), "hello".length() + 1);

        HostTools.Run run = link(w, """
                #include <stdio.h>
                extern const char *const greeting;
                int main(void) { puts("hello"); puts("zzzz"); return puts(greeting) < 0; }
                """);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("hello\nzzzz\nworld\n", run.out(), run::toString);
    }

    /** Why the writer refuses a PC-relative section symbol reference into merged strings: ld gets it wrong. */
    @Test
    void ldResolvesAPcRelativeSectionSymbolInMergedStringsToTheWrongEntry() throws Exception {
        HostTools.require("gcc");
        Path s = Files.writeString(tmp.resolve("greeting.s"), """
                \t.section .rodata.str1.1,"aMS",@progbits,1
                \t.string "hello"
                \t.string "world"
                \t.text
                \t.globl greeting
                greeting:
                \tleaq .rodata.str1.1+6(%rip), %rax
                \tret
                \t.section .note.GNU-stack,"",@progbits
                """);
        HostTools.run(tmp, "gcc", "-c", s.toString(), "-o", "greeting.o").succeeded();
        Path c = Files.writeString(tmp.resolve("main.c"), """
                #include <stdio.h>
                const char *greeting(void);
                int main(void) { puts("hello"); puts("zzzz"); return puts(greeting()) < 0; }
                """);
        HostTools.run(tmp, "gcc", "-O2", "-o", "program", c.toString(), "greeting.o").succeeded();
        HostTools.Run run = HostTools.run(tmp, tmp.resolve("program").toString()).succeeded();
        assertEquals("hello\nzzzz\nzzzz\n", run.out(), "if this prints world, ld now resolves such relocations"
                + " right and ElfObjectWriter.checkMergedTarget may allow them: " + run);

        ElfObjectWriter w = new ElfObjectWriter();
        int rodata = w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1, cStrings("hello", "world"));
        int text = w.addSection(".text", ElfSection.SHT_PROGBITS, AX, 16, 0, LEA_RAX);
        refused("relocate against a local symbol at the entry instead",
                () -> w.addRelocation(text, 3, R_X86_64_PC32, w.sectionSymbol(rodata), 2));
    }

    @Test
    void ldRelinksTheObjectWithACompiledOne() throws Exception {
        HostTools.require("gcc", "ld", "readelf");
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text.calls_helper", ElfSection.SHT_PROGBITS, AX, 16, 0, CALLS_HELPER);
        w.addSymbol("calls_helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0,
                CALLS_HELPER.length);
        w.addRelocation(text, 5, R_X86_64_PLT32,
                w.addSymbol("helper", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, 0, 0, 0), -4);
        w.addNobits(".bss", ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE, 8, 16);
        noExecutableStack(w);
        Path written = Files.write(tmp.resolve("written.o"), w.toBytes());
        Path c = Files.writeString(tmp.resolve("helper.c"), "int helper(int x) { return x + 1; }\n");
        HostTools.run(tmp, "gcc", "-O2", "-c", c.toString(), "-o", "helper.o").succeeded();

        HostTools.Run ld = HostTools.run(tmp, "ld", "-r", "-o", "both.o", written.toString(), "helper.o").succeeded();
        assertEquals("", ld.err(), ld::toString);
        ElfFile both = ElfFile.read(tmp.resolve("both.o"));
        assertEquals(ElfFile.ET_REL, both.type());
        assertEquals(ElfSymbol.STT_FUNC, named(both.symbols(), "calls_helper").type());
        assertFalse(named(both.symbols(), "helper").isUndefined(), "ld resolved helper from the compiled object");
        HostTools.Run readelf = HostTools.run(tmp, "readelf", "-a", "-W", "both.o").succeeded();
        assertFalse(readelf.err().contains("Warning") || readelf.err().contains("Error"), readelf::toString);
    }

    @Test
    void badInputIsRefusedWhereItIsAdded() {
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text", ElfSection.SHT_PROGBITS, AX, 16, 0, ANSWER);
        int bss = w.addNobits(".bss", ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE, 8, 8);
        int f = w.addSymbol("f", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0, 6);

        refused("unknown section index 3", () -> w.addRelocation(3, 0, R_X86_64_PC32, f, 0));
        refused("unknown section index 0", () -> w.sectionSymbol(0));
        refused("unknown section index 7", () -> w.addSymbol("g", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC,
                ElfSymbol.STV_DEFAULT, 7, 0, 0));
        refused("unknown symbol handle 1", () -> w.addRelocation(text, 0, R_X86_64_PC32, 1, 0));
        refused("unknown symbol handle -1", () -> w.addRelocation(text, 0, R_X86_64_PC32, -1, 0));
        refused("4 bytes do not fit section [1] .text (0x6 bytes)",
                () -> w.addRelocation(text, 3, R_X86_64_PC32, f, 0));
        refused("8 bytes do not fit", () -> w.addRelocation(text, 0, R_X86_64_64, f, 0));
        refused("do not fit", () -> w.addRelocation(text, -1, R_X86_64_PC32, f, 0));
        refused(".bss has no bytes to relocate", () -> w.addRelocation(bss, 0, R_X86_64_64, f, 0));
        refused("lie outside section [1] .text", () -> w.addSymbol("g", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC,
                ElfSymbol.STV_DEFAULT, text, 4, 3));
        refused("a local symbol must be defined", () -> w.addSymbol("g", ElfSymbol.STB_LOCAL, ElfSymbol.STT_FUNC,
                ElfSymbol.STV_DEFAULT, 0, 0, 0));
        refused("unknown binding 3", () -> w.addSymbol("g", 3, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, 0, 0, 0));
        refused("unknown visibility 4", () -> w.addSymbol("g", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, 4, 0, 0, 0));
        refused("sectionSymbol", () -> w.addSymbol("g", ElfSymbol.STB_LOCAL, ElfSymbol.STT_SECTION,
                ElfSymbol.STV_DEFAULT, text, 0, 0));
        refused("contains a NUL", () -> w.addSymbol("a\0b", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC,
                ElfSymbol.STV_DEFAULT, 0, 0, 0));
        refused("written by the writer itself", () -> w.addSection(".rela.text", ElfSection.SHT_RELA, 0, 8, 24,
                new byte[24]));
        refused("is added with addNobits", () -> w.addSection(".bss", ElfSection.SHT_NOBITS, 0, 8, 0, new byte[0]));
        refused("alignment 3 is not a power of two", () -> w.addSection(".x", ElfSection.SHT_PROGBITS, 0, 3, 0,
                new byte[1]));
        refused("SHF_MERGE needs entries of a fixed size", () -> w.addSection(".rodata.cst4", ElfSection.SHT_PROGBITS,
                ElfSection.SHF_ALLOC | ElfSection.SHF_MERGE, 4, 4, new byte[6]));
        refused("must end with a NUL", () -> w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1,
                "abc".getBytes(StandardCharsets.US_ASCII)));
        refused("need sh_link", () -> w.addSection("__patchable_function_entries", ElfSection.SHT_PROGBITS,
                ElfSection.SHF_ALLOC | 0x80, 8, 0, new byte[8]));
        int strings = w.addSection(".rodata.str1.1", ElfSection.SHT_PROGBITS, AMS, 1, 1, cStrings("ab"));
        refused("ld would resolve it to the entry at the addend",
                () -> w.addRelocation(text, 2, R_X86_64_PC32, w.sectionSymbol(strings), -4));
        refused("at addend 3 lies outside its 0x3 bytes",
                () -> w.addRelocation(text, 2, 10, w.sectionSymbol(strings), 3));
        refused("negative size", () -> w.addNobits(".bss.x", ElfSection.SHF_ALLOC, 8, -1));
        refused("no contents", () -> w.addSection(".x", ElfSection.SHT_PROGBITS, 0, 1, 0, null));

        assertEquals(4, w.addSection(".text", ElfSection.SHT_PROGBITS, AX, 16, 0, ANSWER),
                "ELF allows two sections of one name");
        w.addRelocation(text, 2, R_X86_64_PC32, f, -4);
    }

    /** Links the written object with main and runs the program; gcc and ld must have nothing to warn about. */
    private HostTools.Run link(ElfObjectWriter w, String main) throws Exception {
        noExecutableStack(w);
        Path object = Files.write(tmp.resolve("written.o"), w.toBytes());
        Path c = Files.writeString(tmp.resolve("main.c"), main);
        HostTools.Run gcc = HostTools.run(tmp, "gcc", "-O2", "-o", "program", c.toString(), object.toString())
                .succeeded();
        assertEquals("", gcc.err(), gcc::toString);
        return HostTools.run(tmp, tmp.resolve("program").toString());
    }

    /** The empty note gcc adds to every object; without it GNU ld warns that the stack must be executable. */
    private static void noExecutableStack(ElfObjectWriter w) {
        w.addSection(".note.GNU-stack", ElfSection.SHT_PROGBITS, 0, 1, 0, new byte[0]);
    }

    private static void refused(String message, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, message);
        assertTrue(e.getMessage().contains(message), () -> "expected \"" + message + "\" in: " + e.getMessage());
    }

    private static void assertSection(ElfSection s, int type, long flags, long align, byte[] contents) {
        assertEquals(type, s.type(), s::toString);
        assertEquals(flags, s.flags(), s::toString);
        assertEquals(align, s.alignment(), s::toString);
        assertArrayEquals(contents, s.contents(), s::toString);
    }

    private static void assertRelaHeader(ElfSection rela, ElfSection symtab, int target) {
        assertEquals(ElfSection.SHT_RELA, rela.type());
        assertEquals(ElfSection.SHF_INFO_LINK, rela.flags());
        assertEquals(symtab.index(), rela.link());
        assertEquals(target, rela.info());
        assertEquals(24, rela.entrySize());
        assertEquals(8, rela.alignment());
    }

    private static ElfSymbol named(List<ElfSymbol> symbols, String name) {
        return symbols.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + name + " in " + symbols));
    }

    private static byte[] cStrings(String... strings) {
        return (String.join("\0", strings) + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
