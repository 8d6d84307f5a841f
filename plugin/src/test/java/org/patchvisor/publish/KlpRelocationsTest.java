package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfObjectWriter;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.elf.HostTools;

/**
 * The livepatch ELF rewrite on objects gcc compiles here and objects {@link ElfObjectWriter} writes (a module is an
 * ET_REL object like these), read back with the project's ELF reader and, for the layout, with binutils' readelf.
 */
class KlpRelocationsTest {
    private static final String SOURCE = """
            extern char *hidden_line;
            extern int exported_len(const char *);
            extern int static_helper(int);
            int show(void) { return exported_len(hidden_line) + static_helper(2); }
            int other(void) { return exported_len("x"); }
            """;
    /**
     * klp names given in the source by asm labels. They are quoted, because gas would read the ',' as an operand
     * separator, and the file is built as the kernel builds (-fno-pic -mcmodel=kernel), so calls carry no @PLT, which
     * gas 2.40 refuses after a quoted name.
     */
    private static final String NAMED_SOURCE = """
            extern int vm_counter asm("\\".klp.sym.vmlinux.vm_counter,0\\"");
            extern int mod_helper(int) asm("\\".klp.sym.kvm.mod_helper,2\\"");
            extern int vm_static(int) asm("\\".klp.sym.vmlinux.vm_static.constprop.0,1\\"");
            extern int exported(int);
            int f(void) { return mod_helper(vm_counter) + exported(1); }
            int g(void) { return vm_static(vm_counter) + 1; }
            """;
    private static final long AX = ElfSection.SHF_ALLOC | ElfSection.SHF_EXECINSTR;
    private static final int R_X86_64_64 = 1;
    private static final int R_X86_64_PLT32 = 4;
    /** call rel32 (at 1); ret */
    private static final byte[] CALL = {(byte) 0xe8, 0, 0, 0, 0, (byte) 0xc3};

    @TempDir
    Path tmp;

    @Test
    void nonExportedSymbolsBecomeKlpSymbolsWithTheirRelocations() throws Exception {
        byte[] before = Files.readAllBytes(Gcc.compile(tmp, "u", SOURCE));
        byte[] after = KlpRelocations.convert(before, Map.of("hidden_line", 0, "static_helper", 2));
        Path rewritten = Files.write(tmp.resolve("u-klp.o"), after);

        ElfFile elf = ElfFile.read(rewritten);
        ElfSymbol line = symbol(elf, ".klp.sym.vmlinux.hidden_line,0");
        ElfSymbol helper = symbol(elf, ".klp.sym.vmlinux.static_helper,2");
        ElfSymbol exported = symbol(elf, "exported_len");
        assertEquals(KlpRelocations.SHN_LIVEPATCH, line.sectionIndex());
        assertEquals(KlpRelocations.SHN_LIVEPATCH, helper.sectionIndex());
        assertEquals(ElfSymbol.SHN_UNDEF, exported.sectionIndex(), "exported symbols stay for the module loader");

        ElfSection klp = elf.section(".klp.rela.vmlinux..text.show").orElseThrow();
        assertEquals(ElfSection.SHT_RELA, klp.type());
        assertEquals(KlpRelocations.SHF_RELA_LIVEPATCH | KlpRelocations.SHF_INFO_LINK | ElfSection.SHF_ALLOC,
                klp.flags());
        assertEquals(elf.section(".text.show").orElseThrow().index(), (int) klp.info());
        List<ElfRelocation> moved = elf.relocations(klp);
        assertEquals(List.of(line.index(), helper.index()).stream().sorted().toList(),
                moved.stream().map(ElfRelocation::symbolIndex).sorted().toList());

        // What stays in .rela.text.show are the relocations the module loader resolves, unchanged.
        ElfFile original = ElfFile.parse(before);
        List<ElfRelocation> was = original.relocations(original.section(".rela.text.show").orElseThrow());
        List<ElfRelocation> kept = elf.relocations(elf.section(".rela.text.show").orElseThrow());
        assertEquals(was.size() - moved.size(), kept.size());
        assertTrue(kept.stream().allMatch(r -> r.symbolIndex() == exported.index()), kept.toString());
        assertEquals(original.relocations(original.section(".rela.text.other").orElseThrow()),
                elf.relocations(elf.section(".rela.text.other").orElseThrow()));

        // binutils agrees the file is well formed and sees the new section.
        Process readelf = new ProcessBuilder("readelf", "-W", "-S", "-r", rewritten.toString())
                .redirectErrorStream(true).start();
        String report = new String(readelf.getInputStream().readAllBytes());
        assertEquals(0, readelf.waitFor(), report);
        assertTrue(report.contains(".klp.rela.vmlinux..text.show"), report);
        assertTrue(!report.contains("Warning") && !report.contains("Error"), report);
    }

    @Test
    void nothingToConvertLeavesTheModuleAlone() throws Exception {
        byte[] before = Files.readAllBytes(Gcc.compile(tmp, "u", SOURCE));
        assertSame(before, KlpRelocations.convert(before, Map.of("not_referenced", 0)));
    }

    @Test
    void namedKlpSymbolsGoToOneKlpRelaSectionPerObjectAndTarget() throws Exception {
        HostTools.require("gcc", "readelf");
        Path c = Files.writeString(tmp.resolve("named.c"), NAMED_SOURCE);
        HostTools.run(tmp, "gcc", "-O2", "-g", "-fno-pic", "-mcmodel=kernel", "-ffunction-sections",
                "-fno-asynchronous-unwind-tables", "-c", c.toString(), "-o", "named.o").succeeded();
        byte[] before = Files.readAllBytes(tmp.resolve("named.o"));
        Path rewritten = Files.write(tmp.resolve("named-klp.o"), KlpRelocations.convertNamed(before));

        ElfFile elf = ElfFile.read(rewritten);
        ElfSymbol counter = symbol(elf, ".klp.sym.vmlinux.vm_counter,0");
        ElfSymbol helper = symbol(elf, ".klp.sym.kvm.mod_helper,2");
        ElfSymbol isStatic = symbol(elf, ".klp.sym.vmlinux.vm_static.constprop.0,1");
        for (ElfSymbol klp : List.of(counter, helper, isStatic)) {
            assertEquals(KlpRelocations.SHN_LIVEPATCH, klp.sectionIndex(), klp::toString);
        }
        assertEquals(ElfSymbol.SHN_UNDEF, symbol(elf, "exported").sectionIndex());
        assertEquals(Map.of(".klp.rela.vmlinux..text.f", List.of(counter.index()),
                        ".klp.rela.kvm..text.f", List.of(helper.index()),
                        ".klp.rela.vmlinux..text.g", List.of(counter.index(), isStatic.index())),
                klpSections(elf));
        ElfSection klp = elf.section(".klp.rela.kvm..text.f").orElseThrow();
        assertEquals(KlpRelocations.SHF_RELA_LIVEPATCH | KlpRelocations.SHF_INFO_LINK | ElfSection.SHF_ALLOC,
                klp.flags());
        assertEquals(elf.section(".text.f").orElseThrow().index(), (int) klp.info());
        assertEquals(elf.section(".symtab").orElseThrow().index(), klp.link());
        assertEquals(List.of(symbol(elf, "exported").index()),
                elf.relocations(elf.section(".rela.text.f").orElseThrow()).stream()
                        .map(ElfRelocation::symbolIndex).toList(), "the module loader keeps what it resolves");
        assertTrue(elf.relocations(elf.section(".rela.text.g").orElseThrow()).isEmpty());

        HostTools.Run readelf = HostTools.run(tmp, "readelf", "-r", "-s", "-W", rewritten.toString()).succeeded();
        assertTrue(!readelf.out().contains("Warning") && readelf.err().isEmpty(), readelf::toString);
        assertTrue(readelf.out().contains("Relocation section '.klp.rela.kvm..text.f'"), readelf::toString);
        assertTrue(readelf.out().matches("(?s).*R_X86_64_PLT32 +0+ \\.klp\\.sym\\.kvm\\.mod_helper,2 - 4.*"),
                readelf::toString);
        assertTrue(readelf.out().matches("(?s).*GLOBAL +DEFAULT +OS \\[0xff20\\] \\.klp\\.sym\\.kvm\\.mod_helper,2\n.*")
                && !readelf.out().matches("(?s).*UND \\.klp\\.sym.*"), readelf::toString);
        byte[] once = Files.readAllBytes(rewritten);
        assertSame(once, KlpRelocations.convertNamed(once), "nothing is left to convert");
    }

    @Test
    void aWrittenModuleWithNamedKlpSymbolsConvertsOnceAndOnlyOnce() throws Exception {
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text.f", ElfSection.SHT_PROGBITS, AX, 16, 0, CALL);
        int data = w.addSection(".data.f_ops", ElfSection.SHT_PROGBITS, ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE,
                8, 0, new byte[16]);
        w.addSymbol("f", ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, ElfSymbol.STV_DEFAULT, text, 0, CALL.length);
        int vm = undefined(w, ".klp.sym.vmlinux.vm_fn,0");
        int mod = undefined(w, ".klp.sym.btusb.btusb_probe,3");
        undefined(w, ".klp.sym.vmlinux.only_named,0");
        w.addRelocation(text, 1, R_X86_64_PLT32, vm, -4);
        w.addRelocation(data, 0, R_X86_64_64, mod, 0);
        w.addRelocation(data, 8, R_X86_64_64, w.sectionSymbol(text), 0);
        byte[] before = w.toBytes();

        byte[] after = KlpRelocations.convertNamed(before);
        ElfFile elf = ElfFile.parse(after);
        assertEquals(KlpRelocations.SHN_LIVEPATCH, symbol(elf, ".klp.sym.vmlinux.only_named,0").sectionIndex(),
                "the module loader would refuse it as unknown");
        assertEquals(Map.of(".klp.rela.vmlinux..text.f", List.of(symbol(elf, ".klp.sym.vmlinux.vm_fn,0").index()),
                ".klp.rela.btusb..data.f_ops", List.of(symbol(elf, ".klp.sym.btusb.btusb_probe,3").index())),
                klpSections(elf));
        assertEquals(List.of(new ElfRelocation(1, symbol(elf, ".klp.sym.vmlinux.vm_fn,0").index(), R_X86_64_PLT32,
                -4, true)), elf.relocations(elf.section(".klp.rela.vmlinux..text.f").orElseThrow()));
        assertEquals(1, elf.relocations(elf.section(".rela.data.f_ops").orElseThrow()).size());
        assertSame(after, KlpRelocations.convertNamed(after), "nothing is left to convert");
    }

    @Test
    void aKlpSymbolInAnUnallocatedSectionIsRefusedEitherWay() throws Exception {
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text.f", ElfSection.SHT_PROGBITS, AX, 16, 0, CALL);
        int debug = w.addSection(".debug_info", ElfSection.SHT_PROGBITS, 0, 1, 0, new byte[8]);
        int named = undefined(w, ".klp.sym.vmlinux.saved_command_line,0");
        int plain = undefined(w, "saved_command_line");
        w.addRelocation(text, 1, R_X86_64_PLT32, named, -4);
        w.addRelocation(debug, 0, R_X86_64_64, named, 0);
        w.addRelocation(debug, 0, R_X86_64_64, plain, 0);
        byte[] ko = w.toBytes();

        ElfFormatException e = assertThrows(ElfFormatException.class, () -> KlpRelocations.convertNamed(ko));
        assertEquals(".rela.debug_info: the relocation at 0x0 against .klp.sym.vmlinux.saved_command_line,0 cannot be"
                + " applied by the livepatch core (.debug_info is not allocated)", e.getMessage());
        e = assertThrows(ElfFormatException.class,
                () -> KlpRelocations.convert(ko, Map.of("saved_command_line", 0)));
        assertTrue(e.getMessage().contains(".debug_info is not allocated"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {".klp.sym.", ".klp.sym.vmlinux", ".klp.sym.vmlinux.foo", ".klp.sym.vmlinux.foo,",
            ".klp.sym.vmlinux.,0", ".klp.sym..foo,0", ".klp.sym.vmlinux.foo,-1", ".klp.sym.vmlinux.foo,01",
            ".klp.sym.vmlinux.foo,1x", ".klp.sym.vmlinux.foo,1,2", ".klp.sym.vmlinux.foo,1234567890",
            ".klp.sym.my-module.foo,0", ".klp.sym.vmlinux.foo bar,0", ".klp.sym.vmlinux.foo\n,0",
            ".klp.sym.a_module_name_that_is_longer_than_the_kernel_reads_it_xx.foo,0"})
    void aMalformedKlpNameIsRefusedByName(String name) throws Exception {
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text.f", ElfSection.SHT_PROGBITS, AX, 16, 0, CALL);
        w.addRelocation(text, 1, R_X86_64_PLT32, undefined(w, name), -4);
        byte[] ko = w.toBytes();

        ElfFormatException e = assertThrows(ElfFormatException.class, () -> KlpRelocations.convertNamed(ko));
        String shown = name.replace("\n", "\\u000a");
        assertTrue(e.getMessage().startsWith("malformed livepatch symbol name \"" + shown + "\": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aSymbolNameTheKernelCannotReadBackIsNotRenamed() throws Exception {
        ElfObjectWriter w = new ElfObjectWriter();
        int text = w.addSection(".text.f", ElfSection.SHT_PROGBITS, AX, 16, 0, CALL);
        w.addRelocation(text, 1, R_X86_64_PLT32, undefined(w, "odd,name"), -4);
        byte[] ko = w.toBytes();
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> KlpRelocations.convert(ko, Map.of("odd,name", 0)));
        assertTrue(e.getMessage().contains("\".klp.sym.vmlinux.odd,name,0\""), e.getMessage());
    }

    private static int undefined(ElfObjectWriter w, String name) {
        return w.addSymbol(name, ElfSymbol.STB_GLOBAL, ElfSymbol.STT_NOTYPE, ElfSymbol.STV_DEFAULT, 0, 0, 0);
    }

    /** Each SHF_RELA_LIVEPATCH section by name, with the symbol indexes of its relocations in order. */
    private static Map<String, List<Integer>> klpSections(ElfFile elf) throws Exception {
        Map<String, List<Integer>> sections = new java.util.TreeMap<>();
        for (ElfSection s : elf.sections()) {
            if ((s.flags() & KlpRelocations.SHF_RELA_LIVEPATCH) != 0) {
                sections.put(s.name(), elf.relocations(s).stream().map(ElfRelocation::symbolIndex)
                        .collect(Collectors.toList()));
            }
        }
        return sections;
    }

    private static ElfSymbol symbol(ElfFile elf, String name) throws Exception {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + name));
    }
}
