package org.patchvisor.elf;

/**
 * One entry of an SHT_RELA or SHT_REL section. For SHT_REL the addend lives in the patched bytes themselves,
 * so {@link #addend()} is 0 and {@link #explicitAddend()} false.
 *
 * @param offset      where in the target section the relocation applies
 * @param symbolIndex index into the symbol table named by the relocation section's {@code sh_link}
 * @param type        machine-specific relocation type (e.g. R_X86_64_PLT32 = 4)
 */
public record ElfRelocation(long offset, int symbolIndex, int type, long addend, boolean explicitAddend) {
}
