package org.patchvisor.elf;

/**
 * How many bytes of its target section a relocation type overwrites. The object writer checks a relocation fits
 * its section with it; the build comparison masks exactly those bytes.
 */
public final class RelocationWidths {
    private static final int EM_386 = 3;

    private RelocationWidths() {
    }

    /** The width of the field a relocation of {@code type} patches (0 for markers); 4 for types not listed. */
    public static int of(int machine, int type) {
        if (machine == ElfFile.EM_X86_64) {
            // Numbers and field sizes of the x86-64 psABI, chapter "Relocation Types".
            return switch (type) {
                case 0, 35 -> 0;             // R_X86_64_NONE, TLSDESC_CALL (a marker)
                case 1, 16, 17, 18, 24, 25, 27, 28, 29, 30, 31, 33, 37, 38 -> 8; // 64, DTPMOD64, DTPOFF64,
                // TPOFF64, PC64, GOTOFF64, GOT64, GOTPCREL64, GOTPC64, GOTPLT64, PLTOFF64, SIZE64, IRELATIVE, RELATIVE64
                case 36 -> 16;               // R_X86_64_TLSDESC
                case 12, 13 -> 2;            // R_X86_64_16, PC16
                case 14, 15 -> 1;            // R_X86_64_8, PC8
                default -> 4;
            };
        }
        if (machine == ElfFile.EM_AARCH64) {
            return type == 257 || type == 260 ? 8 : 4; // R_AARCH64_ABS64, PREL64
        }
        if (machine == EM_386) {
            return type == 20 || type == 21 ? 2 : 4;
        }
        return 4;
    }
}
