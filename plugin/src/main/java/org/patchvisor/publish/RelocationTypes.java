package org.patchvisor.publish;

import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.RelocationWidths;

/**
 * What the comparison needs to know about a relocation type: how many bytes of the code it overwrites (to mask
 * them) and, for PC-relative types, the distance from the relocated field to the end of the instruction, so a
 * section-relative target can be resolved to the symbol it actually points at.
 */
final class RelocationTypes {
    private static final int EM_386 = 3;

    private RelocationTypes() {
    }

    static int width(int machine, int type) {
        return RelocationWidths.of(machine, type);
    }

    static long pcRelativeBias(int machine, int type) {
        if (machine == ElfFile.EM_X86_64) {
            return switch (type) {
                case 2, 4, 9, 41, 42 -> 4; // PC32, PLT32, GOTPCREL, GOTPCRELX, REX_GOTPCRELX
                default -> 0;
            };
        }
        if (machine == EM_386) {
            return type == 2 || type == 4 ? 4 : 0;
        }
        return 0;
    }
}
