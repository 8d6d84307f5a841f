package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * The livepatch ELF rewrite on objects gcc compiles here (a module is an ET_REL object like these), read back with
 * the project's ELF reader and, for the layout, with binutils' readelf.
 */
class KlpRelocationsTest {
    private static final String SOURCE = """
            extern char *hidden_line;
            extern int exported_len(const char *);
            extern int static_helper(int);
            int show(void) { return exported_len(hidden_line) + static_helper(2); }
            int other(void) { return exported_len("x"); }
            """;

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

    private static ElfSymbol symbol(ElfFile elf, String name) throws Exception {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + name));
    }
}
