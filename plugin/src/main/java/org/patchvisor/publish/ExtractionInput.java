package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * The object of the build with the fix as the extraction reads it: its symbols, the named functions and objects
 * of each section (which a section-relative reference is resolved to), and each section's relocations, read once
 * and checked to patch bytes inside their section, so that a malformed object is a format error here and not an
 * index error later.
 */
final class ExtractionInput {
    private final ElfFile elf;
    private final List<ElfSymbol> symbols;
    private final Map<Integer, List<ElfSymbol>> named = new HashMap<>();
    private final Map<Integer, List<ElfRelocation>> relocations = new HashMap<>();

    ExtractionInput(ElfFile elf) throws ElfFormatException {
        this.elf = elf;
        this.symbols = elf.symbols();
        for (ElfSymbol s : symbols) {
            if ((s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT) && defined(s)) {
                named.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
            }
        }
    }

    ElfFile elf() {
        return elf;
    }

    List<ElfSymbol> symbols() {
        return symbols;
    }

    ElfSection section(int index) throws ElfFormatException {
        return elf.section(index);
    }

    /** How many bytes relocation {@code r} patches. */
    int width(ElfRelocation r) {
        return RelocationTypes.width(elf.machine(), r.type());
    }

    /** The symbol {@code r} is against; empty for none (or an index past the table). */
    Optional<ElfSymbol> symbolOf(ElfRelocation r) {
        return r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size() ? Optional.empty()
                : Optional.of(symbols.get(r.symbolIndex()));
    }

    /** Defined in a section of this object (not undefined, absolute, common or past the section table). */
    boolean defined(ElfSymbol s) {
        return s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < 0xff00
                && s.sectionIndex() < elf.sections().size();
    }

    /** The named functions and objects of {@code section}. */
    List<ElfSymbol> named(int section) {
        return named.getOrDefault(section, List.of());
    }

    /** The named function or object of {@code section} that holds {@code location}. */
    Optional<ElfSymbol> holder(int section, long location) {
        for (ElfSymbol candidate : named(section)) {
            if (location >= candidate.value() && location < candidate.value() + Math.max(candidate.size(), 1)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The relocations that apply to {@code section}, each checked to patch bytes inside it. */
    List<ElfRelocation> relocations(ElfSection section) throws ElfFormatException {
        List<ElfRelocation> cached = relocations.get(section.index());
        if (cached == null) {
            Optional<ElfSection> rela = elf.relocationSectionFor(section);
            cached = rela.isPresent() ? elf.relocations(rela.get()) : List.of();
            for (ElfRelocation r : cached) {
                int width = width(r);
                if (r.type() < 0 || r.offset() < 0 || r.offset() > section.size() - width) {
                    throw new ElfFormatException(String.format("relocation type %s at 0x%x does not fit section %s"
                            + " (0x%x bytes)", Integer.toUnsignedString(r.type()), r.offset(), section.name(),
                            section.size()));
                }
            }
            relocations.put(section.index(), cached);
        }
        return cached;
    }
}
