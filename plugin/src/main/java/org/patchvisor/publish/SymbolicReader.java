package org.patchvisor.publish;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
 * Reads a range of a section of one object file as the comparison sees it: the bytes with every relocated field
 * zeroed, and each relocation named by what it points at ({@link SymbolicRelocation}) instead of where. A reference
 * through a section symbol is resolved to the named function or object holding the address it means, a literal in a
 * merged string section to its text (the addend kept relative to it, since the literals of a unit share one section
 * and one changed moves the ones after it); so code or data that only moved compares equal. Holds the per-section
 * caches.
 */
final class SymbolicReader {
    private final ElfFile file;
    private final List<ElfSymbol> symbols;
    private final Map<Integer, byte[]> contents = new HashMap<>();
    private final Map<Integer, List<ElfRelocation>> relocations = new HashMap<>();
    private final Map<Integer, List<ElfSymbol>> named = new HashMap<>();

    /** A range read symbolically. */
    record Piece(byte[] maskedBytes, List<SymbolicRelocation> relocations) {
    }

    SymbolicReader(ElfFile file) throws ElfFormatException {
        this.file = file;
        this.symbols = file.symbols();
        for (ElfSymbol s : symbols) {
            if ((s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT) && inSection(s)) {
                named.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
            }
        }
    }

    boolean inSection(ElfSymbol s) {
        return s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < 0xff00
                && s.sectionIndex() < file.sections().size();
    }

    /**
     * {@code length} bytes of {@code section} from {@code start}; adds to {@code referenced} the named symbols its
     * relocations point at. In x86-64 code a PC-relative field counts from the end of its instruction, which an
     * immediate may follow; elsewhere (a table entry's {@code .long target - .}) from the field itself.
     */
    Piece piece(ElfSection section, long start, int length, List<ElfSymbol> referenced) throws ElfFormatException {
        byte[] all = contents(section);
        byte[] bytes = new byte[length];
        if (section.hasFileBytes()) {
            System.arraycopy(all, (int) start, bytes, 0, length);
        }
        boolean code = section.isExecutable();
        Optional<List<X86Instructions.Instruction>> decoded = code && file.machine() == ElfFile.EM_X86_64
                ? X86Instructions.decode(bytes.clone()) : Optional.empty();
        List<SymbolicRelocation> symbolic = new ArrayList<>();
        for (ElfRelocation r : relocations(section)) {
            if (r.offset() < start || r.offset() >= start + length) {
                continue;
            }
            int at = (int) (r.offset() - start);
            int width = Math.min(RelocationTypes.width(file.machine(), r.type()), bytes.length - at);
            long addend = r.explicitAddend() ? r.addend() : implicitAddend(bytes, at, width);
            for (int i = 0; i < width; i++) {
                bytes[at + i] = 0;
            }
            Optional<Long> toEnd = decoded.flatMap(d -> d.stream().filter(i -> i.contains(at)).findFirst())
                    .map(i -> (long) (i.start() + i.length() - at));
            long bias = RelocationTypes.pcRelativeBias(file.machine(), r.type());
            if (!code) {
                bias = 0;
            } else if (bias > 0 && toEnd.isPresent()) {
                bias = toEnd.get();
            }
            symbolic.add(symbolic(r, at, addend, bias, referenced));
        }
        return new Piece(bytes, symbolic);
    }

    private SymbolicRelocation symbolic(ElfRelocation r, int at, long addend, long bias, List<ElfSymbol> referenced)
            throws ElfFormatException {
        if (r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size()) {
            return new SymbolicRelocation(at, r.type(), "*none*", addend);
        }
        ElfSymbol target = symbols.get(r.symbolIndex());
        boolean sectionRelative = target.type() == ElfSymbol.STT_SECTION
                || (target.type() == ElfSymbol.STT_NOTYPE && target.bind() == ElfSymbol.STB_LOCAL);
        if (!sectionRelative || !inSection(target)) {
            referenced.add(target);
            return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(target.name()), addend);
        }
        ElfSection section = file.section(target.sectionIndex());
        long base = target.value() + addend;
        long effective = base + bias;
        if ((section.flags() & ElfSection.SHF_MERGE) != 0 && (section.flags() & ElfSection.SHF_STRINGS) != 0
                && section.hasFileBytes() && effective >= 0 && effective < section.size()) {
            // Relative to the text, not the section: a literal moves when one laid out before it changes.
            return new SymbolicRelocation(at, r.type(), "str:" + string(contents(section), (int) effective),
                    base - effective);
        }
        for (ElfSymbol candidate : named.getOrDefault(section.index(), List.of())) {
            long size = Math.max(candidate.size(), 1);
            if (effective >= candidate.value() && effective < candidate.value() + size) {
                referenced.add(candidate);
                return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(candidate.name()),
                        base - candidate.value());
            }
        }
        return new SymbolicRelocation(at, r.type(), SymbolNames.normalise(section.name()), base);
    }

    private long implicitAddend(byte[] bytes, int at, int width) {
        long value = 0;
        boolean little = file.byteOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < width; i++) {
            int b = bytes[at + (little ? width - 1 - i : i)] & 0xff;
            value = (value << 8) | b;
        }
        return width == 4 ? (int) value : value;
    }

    private static String string(byte[] bytes, int from) {
        int end = from;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.ISO_8859_1);
    }

    byte[] contents(ElfSection section) {
        return contents.computeIfAbsent(section.index(), i -> section.contents());
    }

    List<ElfRelocation> relocations(ElfSection section) throws ElfFormatException {
        List<ElfRelocation> cached = relocations.get(section.index());
        if (cached == null) {
            var rel = file.relocationSectionFor(section);
            cached = rel.isPresent() ? file.relocations(rel.get()) : List.of();
            relocations.put(section.index(), cached);
        }
        return cached;
    }
}
