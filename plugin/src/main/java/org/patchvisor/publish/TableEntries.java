package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * The entries of the kernel's special-section tables ({@link SpecialSections}) grouped by the function whose code
 * each describes, each reduced to a comparable text: the entry's bytes with relocated fields zeroed and its
 * references named as {@link SymbolicReader} names them. A fix can change only such an entry and no code byte:
 * another CPU feature for an alternative, another fixup type in {@code __ex_table}, a jump label's default. So the
 * comparison compares these with the function.
 *
 * <p>What is derived from the code alone is left out ({@code .orc_unwind}: identical code has identical unwind
 * data). An alternative's replacement instructions, which sit unnamed in the shared {@code .altinstr_replacement},
 * are compared by their bytes, not by their offset there; a {@code __bug_table} entry's {@code line} is masked, as
 * a line shift is no change ({@link ReportingLines}).
 */
final class TableEntries {
    private static final String ALT_REPLACEMENT = ".altinstr_replacement";
    /** {@code struct alt_instr}: replacementlen is its last byte. */
    private static final int ALT_REPLACEMENT_LENGTH = 11;
    /** {@code struct bug_entry} with relative pointers: {@code u16 line} after the two displacements. */
    private static final int BUG_LINE = 8;

    private TableEntries() {
    }

    /** Every described function's entries, by its normalised name, sorted so the order of the table is no change. */
    static Map<String, List<String>> read(ElfFile file, SymbolicReader refs) throws ElfFormatException {
        Map<String, List<String>> byFunction = new HashMap<>();
        Optional<ElfSection> replacements = file.sections().stream()
                .filter(s -> s.name().equals(ALT_REPLACEMENT)).findFirst();
        for (ElfSection section : file.sections()) {
            Optional<SpecialSections.Table> table = SpecialSections.table(section.name());
            if (table.isEmpty() || table.get().pairedWith().isPresent() || !section.hasFileBytes()
                    || (section.flags() & ElfSection.SHF_ALLOC) == 0) {
                continue;
            }
            int size = table.get().entrySize();
            for (long at = 0; at + size <= section.size(); at += size) {
                SymbolicReader.Piece entry = refs.piece(section, at, size, new ArrayList<ElfSymbol>());
                Optional<SymbolicRelocation> anchor = entry.relocations().stream()
                        .filter(r -> r.offset() == table.get().anchor()).findFirst();
                if (anchor.isEmpty()) {
                    continue;
                }
                String text = describe(section.name(), entry, refs, replacements);
                byFunction.computeIfAbsent(anchor.get().target(), k -> new ArrayList<>()).add(text);
            }
        }
        byFunction.values().forEach(list -> list.sort(null));
        return byFunction;
    }

    private static String describe(String table, SymbolicReader.Piece entry, SymbolicReader refs,
                                   Optional<ElfSection> replacements) throws ElfFormatException {
        byte[] bytes = entry.maskedBytes();
        if (table.equals("__bug_table") && bytes.length >= BUG_LINE + 2) {
            bytes[BUG_LINE] = 0;
            bytes[BUG_LINE + 1] = 0;
        }
        StringBuilder text = new StringBuilder(table).append(' ').append(HexFormat.of().formatHex(bytes));
        for (SymbolicRelocation r : entry.relocations()) {
            text.append(' ').append(r.offset()).append(':').append(r.type()).append(':');
            if (r.target().equals(ALT_REPLACEMENT) && replacements.isPresent()) {
                int length = bytes.length > ALT_REPLACEMENT_LENGTH ? bytes[ALT_REPLACEMENT_LENGTH] & 0xff : 0;
                text.append(replacement(refs, replacements.get(), r.addend(), length));
            } else {
                text.append(r.target()).append('+').append(r.addend());
            }
        }
        return text.toString();
    }

    /** The replacement instructions an alternative points at, by content. */
    private static String replacement(SymbolicReader refs, ElfSection section, long start, int length)
            throws ElfFormatException {
        if (start < 0 || start + length > section.size()) {
            return "replacement outside " + ALT_REPLACEMENT + "+" + start;
        }
        SymbolicReader.Piece piece = refs.piece(section, start, length, new ArrayList<ElfSymbol>());
        StringBuilder text = new StringBuilder("[").append(HexFormat.of().formatHex(piece.maskedBytes()));
        piece.relocations().forEach(r -> text.append(' ').append(r.offset()).append(':').append(r.type())
                .append(':').append(r.target()).append('+').append(r.addend()));
        return text.append(']').toString();
    }
}
