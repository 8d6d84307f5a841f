package org.patchvisor.publish;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.publish.FunctionExtractor.Piece;

/**
 * The byte ranges of the build with the fix that the patch carries, by section and start, and those whose
 * relocations are still to be resolved. A function is carried with its {@code .cold} part.
 */
final class CarriedPieces {
    private final ExtractionInput input;
    private final ExtractionRefusals refusals;
    private final Map<Integer, TreeMap<Long, Piece>> pieces = new LinkedHashMap<>();
    private final Deque<Piece> unscanned = new ArrayDeque<>();

    CarriedPieces(ExtractionInput input, ExtractionRefusals refusals) {
        this.input = input;
        this.refusals = refusals;
    }

    /** Carries the bytes of symbol {@code s}, once; a function's {@code .cold} part travels with it. */
    Piece carry(ElfSymbol s) throws ElfFormatException {
        Optional<Piece> have = at(s.sectionIndex(), s.value(), false);
        if (have.isPresent()) {
            return have.get();
        }
        ElfSection section = input.section(s.sectionIndex());
        if (ObjectImage.isInit(section.name())) {
            refusals.initGone(s.name(), section.name());
        }
        Piece piece = add(new Piece(section.index(), s.value(), s.value() + Math.max(s.size(), 0), Optional.of(s)));
        if (s.type() == ElfSymbol.STT_FUNC) {
            for (ElfSymbol cold : input.symbols()) {
                if (cold.type() == ElfSymbol.STT_FUNC && input.defined(cold)
                        && cold.name().equals(s.name() + ".cold")) {
                    carry(cold);
                }
            }
        }
        return piece;
    }

    /** Carries {@code piece}; its relocations are resolved when it is {@link #nextUnscanned() scanned}. */
    Piece add(Piece piece) throws ElfFormatException {
        ElfSection section = input.section(piece.section());
        if (piece.start() < 0 || piece.end() < piece.start() || piece.end() > section.size()) {
            throw new ElfFormatException(String.format("%s[0x%x, 0x%x) lies outside section %s (0x%x bytes)",
                    piece.symbol().map(s -> s.name() + " ").orElse(""), piece.start(), piece.end(), section.name(),
                    section.size()));
        }
        pieces.computeIfAbsent(piece.section(), k -> new TreeMap<>()).put(piece.start(), piece);
        unscanned.add(piece);
        return piece;
    }

    /** A carried piece whose relocations are not resolved yet. */
    Optional<Piece> nextUnscanned() {
        return Optional.ofNullable(unscanned.poll());
    }

    /** The piece of input {@code section} that holds {@code location} (or ends there, {@code endToo}), if any. */
    Optional<Piece> at(int section, long location, boolean endToo) {
        TreeMap<Long, Piece> of = pieces.get(section);
        if (of == null) {
            return Optional.empty();
        }
        var floor = of.floorEntry(location);
        if (floor != null && floor.getValue().covers(location, endToo)) {
            return Optional.of(floor.getValue());
        }
        var below = of.lowerEntry(location);
        return below != null && endToo && below.getValue().covers(location, true)
                ? Optional.of(below.getValue()) : Optional.empty();
    }

    int count() {
        return pieces.values().stream().mapToInt(Map::size).sum();
    }

    /** The carried pieces of each input section, by start. */
    Map<Integer, TreeMap<Long, Piece>> bySection() {
        return pieces;
    }
}
