package org.patchvisor.elf;

/**
 * One {@code .symtab} entry. Kept whole (not only functions) because comparing two object files needs
 * sections, sizes and bindings to line up functions, and relocations refer to symbols by {@link #index()}.
 *
 * @param sectionIndex {@code st_shndx}: a section index, or SHN_UNDEF (0), SHN_ABS (0xfff1), SHN_COMMON (0xfff2)
 */
public record ElfSymbol(int index, String name, long value, long size, int type, int bind, int sectionIndex) {
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    /** Visibility, the low two bits of {@code st_other}. */
    public static final int STV_DEFAULT = 0;
    public static final int STV_INTERNAL = 1;
    public static final int STV_HIDDEN = 2;
    public static final int STV_PROTECTED = 3;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;

    public boolean isFunction() {
        return type == STT_FUNC;
    }

    public boolean isUndefined() {
        return sectionIndex == SHN_UNDEF;
    }
}
