package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * The functions and data objects one compiled unit defines, each with where the kernel's own link puts it: its
 * region and its rank. The region is the input section the kernel's build gives it. That build splits no sections,
 * so the linker lays out each unit's {@code .text}, {@code .text.unlikely}, {@code .data}, {@code .bss},
 * {@code .rodata} (and each explicitly named section such as {@code .data.once} or {@code .init.text}) as one
 * block, the units in link order; patchvisor compiles with {@code -ffunction-sections -fdata-sections}, so here a
 * symbol sits in {@code .text.NAME}, {@code .rodata.NAME}..., and that per-symbol suffix is dropped. The rank is
 * the order the compiler emitted the symbols in (section, then offset), which is their order inside each block.
 * {@link KernelSymbols#position} uses both to tell which listing of a repeated name in kallsyms is this unit's.
 */
final class UnitSymbols {
    /** The ELF binding, which decides the kallsyms type letter's case and whether the link may drop the symbol. */
    enum Binding { LOCAL, GLOBAL, WEAK }

    /** A symbol as the object defines it: {@code section} is the object's own (per-symbol) section name. */
    record Symbol(String name, String section, boolean function, Binding binding) {
    }

    /** A symbol with its region (the kernel build's section) and rank (0, 1, ... in the unit's emitted order). */
    record Defined(String name, String region, boolean function, Binding binding, int rank) {
    }

    /**
     * The prefixes gcc puts before a symbol's name for its own section under {@code -ffunction-sections
     * -fdata-sections}, longest first (so {@code .text.unlikely.f} is not read as {@code .text} plus
     * {@code unlikely.f}).
     */
    private static final List<String> SPLIT_PREFIXES = List.of(".text.unlikely", ".text.startup", ".text.hot",
            ".text.exit", ".text", ".data.rel.ro.local", ".data.rel.ro", ".data.rel.local", ".data.rel", ".data",
            ".bss", ".rodata", ".tdata", ".tbss");
    private static final String COLD = ".cold";

    private final List<Defined> all;
    private final Map<String, List<Defined>> byName;

    private UnitSymbols(List<Defined> all) {
        this.all = List.copyOf(all);
        Map<String, List<Defined>> names = new HashMap<>();
        all.forEach(d -> names.computeIfAbsent(d.name(), k -> new ArrayList<>()).add(d));
        this.byName = names;
    }

    /** Reads the unit's object file. */
    static UnitSymbols read(Path object) throws IOException {
        return of(ElfFile.read(object));
    }

    /** The functions and objects {@code object} defines in allocated sections, ranked by section and offset. */
    static UnitSymbols of(ElfFile object) throws ElfFormatException {
        List<ElfSymbol> defined = new ArrayList<>();
        List<ElfSection> sections = object.sections();
        for (ElfSymbol s : object.symbols()) {
            boolean kind = s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT;
            boolean inSection = s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < sections.size()
                    && s.sectionIndex() < 0xff00;
            if (kind && inSection && (sections.get(s.sectionIndex()).flags() & ElfSection.SHF_ALLOC) != 0) {
                defined.add(s);
            }
        }
        defined.sort(Comparator.comparingInt(ElfSymbol::sectionIndex).thenComparingLong(ElfSymbol::value)
                .thenComparingInt(ElfSymbol::index));
        List<Symbol> symbols = new ArrayList<>();
        for (ElfSymbol s : defined) {
            Binding binding = s.bind() == ElfSymbol.STB_LOCAL ? Binding.LOCAL
                    : s.bind() == ElfSymbol.STB_WEAK ? Binding.WEAK : Binding.GLOBAL;
            symbols.add(new Symbol(s.name(), sections.get(s.sectionIndex()).name(), s.isFunction(), binding));
        }
        return of(symbols);
    }

    /** From symbols already in the unit's emitted order (the order an object's sections and offsets give). */
    static UnitSymbols of(List<Symbol> inOrder) {
        List<Defined> all = new ArrayList<>();
        for (Symbol s : inOrder) {
            all.add(new Defined(s.name(), region(s.section(), s.name()), s.function(), s.binding(), all.size()));
        }
        return new UnitSymbols(all);
    }

    /**
     * The section the kernel's own build puts {@code symbol} in: {@code section} less the {@code .NAME} that
     * {@code -ffunction-sections -fdata-sections} appended (a {@code .cold} part sits in
     * {@code .text.unlikely.PARENT}). A section not named after its symbol was named by the source
     * ({@code __section(".data.once")}) and is the kernel's too.
     */
    static String region(String section, String symbol) {
        String base = symbol.endsWith(COLD) ? symbol.substring(0, symbol.length() - COLD.length()) : symbol;
        for (String prefix : SPLIT_PREFIXES) {
            if (section.equals(prefix + "." + base)) {
                return prefix;
            }
        }
        return section;
    }

    /** The unit's only symbol named {@code name}, if it defines exactly one. */
    Optional<Defined> only(String name) {
        List<Defined> found = byName.getOrDefault(name, List.of());
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    /** The symbols of {@code region} the unit names once, in rank order. */
    List<Defined> onlyOnesIn(String region) {
        return all.stream().filter(d -> d.region().equals(region) && byName.get(d.name()).size() == 1).toList();
    }
}
