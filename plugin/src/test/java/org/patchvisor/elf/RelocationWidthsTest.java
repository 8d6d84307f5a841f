package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Field widths against the x86-64 psABI's relocation table (numbers as in glibc's elf.h). */
class RelocationWidthsTest {
    @Test
    void x86_64FieldsHaveThePsAbiWidths() {
        assertEquals(0, RelocationWidths.of(ElfFile.EM_X86_64, 0), "R_X86_64_NONE");
        assertEquals(8, RelocationWidths.of(ElfFile.EM_X86_64, 1), "R_X86_64_64");
        assertEquals(4, RelocationWidths.of(ElfFile.EM_X86_64, 2), "R_X86_64_PC32");
        assertEquals(4, RelocationWidths.of(ElfFile.EM_X86_64, 4), "R_X86_64_PLT32");
        assertEquals(4, RelocationWidths.of(ElfFile.EM_X86_64, 11), "R_X86_64_32S");
        assertEquals(2, RelocationWidths.of(ElfFile.EM_X86_64, 13), "R_X86_64_PC16");
        assertEquals(1, RelocationWidths.of(ElfFile.EM_X86_64, 15), "R_X86_64_PC8");
        assertEquals(8, RelocationWidths.of(ElfFile.EM_X86_64, 24), "R_X86_64_PC64");
        assertEquals(4, RelocationWidths.of(ElfFile.EM_X86_64, 26), "R_X86_64_GOTPC32");
        assertEquals(8, RelocationWidths.of(ElfFile.EM_X86_64, 29), "R_X86_64_GOTPC64");
        assertEquals(8, RelocationWidths.of(ElfFile.EM_X86_64, 33), "R_X86_64_SIZE64");
        assertEquals(4, RelocationWidths.of(ElfFile.EM_X86_64, 42), "R_X86_64_REX_GOTPCRELX");
    }
}
