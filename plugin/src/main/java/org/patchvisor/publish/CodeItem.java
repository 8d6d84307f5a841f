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
    /** gcc's {@code -pg -mfentry} call: within the first 16 bytes, after an {@code endbr64} when IBT is on. */
    private static final int FENTRY_WINDOW = 16;
    private static final int R_X86_64_PC32 = 2;
    private static final int R_X86_64_PLT32 = 4;

    public CodeItem {
        maskedBytes = maskedBytes.clone();
        relocations = List.copyOf(relocations);
    }

    /** True when both have the same size, bytes and symbolic relocations. */
    public boolean sameContents(CodeItem other) {
        return size == other.size && Arrays.equals(maskedBytes, other.maskedBytes)
                && relocations.equals(other.relocations);
    }

    /**
     * True when ftrace, and so the livepatch core, can hook this x86-64 function: it starts with
     * {@code call __fentry__} (a PC32 or PLT32 relocation to {@code __fentry__} in its first 16 bytes) and is
     * not in {@code .noinstr.text} or {@code .entry.text}, which the kernel never lets ftrace patch.
     */
    public boolean traceable() {
        return !inUntracedSection() && relocations.stream().anyMatch(r -> r.offset() < FENTRY_WINDOW
                && r.target().equals("__fentry__")
                && (r.type() == R_X86_64_PLT32 || r.type() == R_X86_64_PC32));
    }

    /** True when it lives in {@code .noinstr.text} or {@code .entry.text}, code ftrace must never patch. */
    public boolean inUntracedSection() {
        return section.startsWith(".noinstr.text") || section.startsWith(".entry.text");
    }

    /** True for the {@code .cold} part gcc split off a function: not entered by a call, so never hooked itself. */
    public boolean cold() {
        return SymbolNames.isCold(key);
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
