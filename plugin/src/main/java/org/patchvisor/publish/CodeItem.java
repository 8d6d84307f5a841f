package org.patchvisor.publish;

import java.util.Arrays;
import java.util.List;

/**
 * One function or data object of an object file, reduced to what decides whether it changed: its bytes with every
 * relocated field zeroed, and its relocations in symbolic form ({@link SymbolicRelocation}). Two builds of the
 * same code give equal items even when the code or its targets moved.
 *
 * @param key      the normalised name (see {@link SymbolNames}), with {@code #N} appended for a later duplicate
 * @param name     the symbol name as the compiler wrote it
 * @param section  the name of the section holding it
 * @param local    true for a static (STB_LOCAL) symbol
 * @param init     true when it lives in init code or data that runs once at boot or load time
 */
public record CodeItem(String key, String name, String section, boolean local, boolean init, long size,
                       byte[] maskedBytes, List<SymbolicRelocation> relocations) {

    public CodeItem {
        maskedBytes = maskedBytes.clone();
        relocations = List.copyOf(relocations);
    }

    /** True when both have the same size, bytes and symbolic relocations. */
    public boolean sameContents(CodeItem other) {
        return size == other.size && Arrays.equals(maskedBytes, other.maskedBytes)
                && relocations.equals(other.relocations);
    }

    @Override
    public byte[] maskedBytes() {
        return maskedBytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodeItem other && key.equals(other.key) && name.equals(other.name)
                && section.equals(other.section) && local == other.local && init == other.init && sameContents(other);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Arrays.hashCode(maskedBytes);
    }

    @Override
    public String toString() {
        return "CodeItem[" + name + " in " + section + ", " + size + " bytes, " + relocations.size() + " relocations]";
    }
}
