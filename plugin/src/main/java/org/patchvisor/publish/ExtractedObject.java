package org.patchvisor.publish;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfObjectWriter;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * Lays what {@link FunctionExtractor} took out of one unit into a new relocatable object: one section per input
 * section with its carried pieces one after the other, each special section cut down to its kept entries, a local
 * symbol per carried function or object (so the patch's code reads well in kallsyms and oopses), a global
 * {@code pv_fn_N} per replaced function for the live-patch tables, and each kernel symbol as an undefined one.
 */
final class ExtractedObject {
    private static final long SHF_GROUP = 0x200;
    /** Carried strings are not merged again: ld would read a PC-relative addend as the wrong entry. */
    private static final long SHF_MERGE_STRINGS = ElfSection.SHF_MERGE | ElfSection.SHF_STRINGS;

    /** The object and what it holds. */
    record Result(byte[] bytes, List<ReplacedFunction> replaced, List<String> added, Map<String, Integer> entriesKept) {
        Result {
            replaced = List.copyOf(replaced);
            added = List.copyOf(added);
            entriesKept = Map.copyOf(entriesKept);
        }
    }

    private final FunctionExtractor extracted;
    private final ElfObjectWriter out = new ElfObjectWriter();
    private final Map<FunctionExtractor.Piece, Long> placed = new HashMap<>();
    private final Map<Integer, Integer> outIndex = new HashMap<>();
    private final Map<String, Integer> undefined = new HashMap<>();

    private ExtractedObject(FunctionExtractor extracted) {
        this.extracted = extracted;
    }

    /**
     * Writes the object; {@code replaced} maps the post-build name of each replaced function to the kernel's name
     * ({@code firstSymbol} numbers the {@code pv_fn_N} symbols so several units never clash).
     */
    static Result write(FunctionExtractor extracted, Map<String, String> replaced, KernelReferences kernel,
                        int firstSymbol, String unit) throws ElfFormatException {
        return new ExtractedObject(extracted).layout(replaced, kernel, firstSymbol, unit);
    }

    private Result layout(Map<String, String> replacedNames, KernelReferences kernel, int firstSymbol, String unit)
            throws ElfFormatException {
        for (Map.Entry<Integer, TreeMap<Long, FunctionExtractor.Piece>> e : extracted.pieces().entrySet()) {
            ElfSection section = extracted.elf().section(e.getKey());
            long align = alignment(section);
            long at = 0;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] all = section.contents();
            for (FunctionExtractor.Piece piece : e.getValue().values()) {
                at = (at + align - 1) / align * align;
                placed.put(piece, at);
                if (section.hasFileBytes()) {
                    bytes.writeBytes(new byte[(int) (at - bytes.size())]);
                    bytes.write(all, (int) piece.start(), (int) (piece.end() - piece.start()));
                }
                at += piece.end() - piece.start();
            }
            long flags = section.flags() & ~(SHF_GROUP | SHF_MERGE_STRINGS);
            outIndex.put(section.index(), section.hasFileBytes()
                    ? out.addSection(section.name(), section.type(), flags, align, 0,
                            bytes.toByteArray())
                    : out.addNobits(section.name(), flags, align, at));
        }
        Map<String, Integer> entriesKept = new LinkedHashMap<>();
        Map<FunctionExtractor.KeptTable, Integer> tableIndex = new HashMap<>();
        for (FunctionExtractor.KeptTable kept : extracted.tables().values()) {
            if (kept.entries().isEmpty()) {
                continue;
            }
            tableIndex.put(kept, addTable(kept.section(), kept.table().entrySize(), kept.entries()));
            entriesKept.merge(kept.section().name(), kept.entries().size(), Integer::sum);
            if (kept.table().pairedWith().isPresent()) {
                String companion = kept.table().pairedWith().get();
                ElfSection paired = extracted.elf().section(companion).orElseThrow(() -> new ElfFormatException(
                        kept.section().name() + " without its " + companion));
                if (paired.size() / kept.table().pairedSize() != kept.section().size() / kept.table().entrySize()) {
                    throw new ElfFormatException(companion + " and " + kept.section().name() + " differ in length");
                }
                addTable(paired, kept.table().pairedSize(), kept.entries());
            }
        }
        List<ReplacedFunction> replaced = new ArrayList<>();
        List<String> added = new ArrayList<>();
        int next = firstSymbol;
        for (Map.Entry<Integer, TreeMap<Long, FunctionExtractor.Piece>> e : extracted.pieces().entrySet()) {
            for (FunctionExtractor.Piece piece : e.getValue().values()) {
                if (piece.symbol().isEmpty()) {
                    continue;
                }
                ElfSymbol s = piece.symbol().get();
                int section = outIndex.get(e.getKey());
                long value = placed.get(piece);
                out.addSymbol(s.name(), ElfSymbol.STB_LOCAL, s.type(), 0, section, value, s.size());
                if (s.type() != ElfSymbol.STT_FUNC) {
                    continue;
                }
                String oldName = replacedNames.get(s.name());
                if (oldName != null) {
                    String symbol = "pv_fn_" + next++;
                    out.addSymbol(symbol, ElfSymbol.STB_GLOBAL, ElfSymbol.STT_FUNC, 0, section, value, s.size());
                    replaced.add(new ReplacedFunction(oldName, kernel.positionOf(oldName, true), symbol, unit));
                } else if (!s.name().endsWith(".cold")) {
                    added.add(s.name());
                }
            }
        }
        for (FunctionExtractor.Pending p : extracted.pending()) {
            int section;
            long offset;
            if (p.owner() instanceof FunctionExtractor.Piece piece) {
                section = outIndex.get(piece.section());
                offset = placed.get(piece) + p.offset();
            } else if (p.owner() instanceof FunctionExtractor.TableEntry entry) {
                section = tableIndex.get(entry.table());
                offset = (long) entry.table().entries().indexOf(entry.entry()) * entry.table().table().entrySize()
                        + p.offset();
            } else {
                throw new IllegalStateException("unknown owner " + p.owner());
            }
            relocate(section, offset, p.type(), p.target());
        }
        // Says the code needs no executable stack, as every compiled object does; ld warns without it.
        out.addSection(".note.GNU-stack", ElfSection.SHT_PROGBITS, 0, 1, 0, new byte[0]);
        return new Result(out.toBytes(), replaced, added, entriesKept);
    }

    private int addTable(ElfSection section, int entrySize, List<Integer> entries) throws ElfFormatException {
        byte[] all = section.contents();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int entry : entries) {
            bytes.write(all, entry * entrySize, entrySize);
        }
        return out.addSection(section.name(), section.type(), section.flags() & ~(SHF_GROUP | SHF_MERGE_STRINGS),
                alignment(section), Math.max(section.entrySize(), 0), bytes.toByteArray());
    }

    /** The alignment of an input section, checked to be one the object can have. */
    private static long alignment(ElfSection section) throws ElfFormatException {
        long align = Math.max(section.alignment(), 1);
        if (Long.bitCount(align) != 1 || align > ElfObjectWriter.MAX_ALIGNMENT) {
            throw new ElfFormatException(section.name() + ": alignment " + Long.toUnsignedString(section.alignment())
                    + " is not a power of two up to " + ElfObjectWriter.MAX_ALIGNMENT);
        }
        return align;
    }

    private void relocate(int section, long offset, int type, FunctionExtractor.Target target)
            throws ElfFormatException {
        if (target instanceof FunctionExtractor.Kernel kernel) {
            int symbol = undefined.computeIfAbsent(kernel.name(), name -> out.addSymbol(name, ElfSymbol.STB_GLOBAL,
                    ElfSymbol.STT_NOTYPE, 0, 0, 0, 0));
            out.addRelocation(section, offset, type, symbol, kernel.addend());
            return;
        }
        FunctionExtractor.Inside inside = (FunctionExtractor.Inside) target;
        Optional<FunctionExtractor.Piece> piece = extracted.pieceAt(inside.section(), inside.location(), true);
        if (piece.isEmpty()) {
            throw new ElfFormatException("a relocation points at 0x" + Long.toHexString(inside.location())
                    + " of section " + inside.section() + ", which was not carried");
        }
        out.addRelocation(section, offset, type, out.sectionSymbol(outIndex.get(inside.section())),
                placed.get(piece.get()) + inside.value() - piece.get().start());
    }
}
