package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.publish.FunctionExtractor.Kernel;
import org.patchvisor.publish.FunctionExtractor.KeptTable;
import org.patchvisor.publish.FunctionExtractor.Pending;
import org.patchvisor.publish.FunctionExtractor.Piece;
import org.patchvisor.publish.FunctionExtractor.TableEntry;
import org.patchvisor.publish.FunctionExtractor.Target;

/**
 * Cuts the special sections ({@link SpecialSections}) down to the entries that describe carried code, with their
 * relocations, and carries the replacement instructions of the alternatives kept. An allocated section that is
 * not a known table and describes carried code is refused: dropping it could build a patch that loads and is
 * wrong.
 */
final class SpecialSectionCutter {
    private final ExtractionInput input;
    private final CarriedPieces carried;
    private final ReferenceResolver resolver;
    private final ExtractionRefusals refusals;
    private final List<Pending> pending;
    private final Map<Integer, KeptTable> tables = new LinkedHashMap<>();

    /** {@code pending} receives the relocations of the kept entries. */
    SpecialSectionCutter(ExtractionInput input, CarriedPieces carried, ReferenceResolver resolver,
                         ExtractionRefusals refusals, List<Pending> pending) {
        this.input = input;
        this.carried = carried;
        this.resolver = resolver;
        this.refusals = refusals;
        this.pending = pending;
    }

    /** The kept tables by input section index. */
    Map<Integer, KeptTable> tables() {
        return tables;
    }

    /** Keeps the entries of each special section that describe carried code; refuses unknown ones that do. */
    void keepEntries() throws ElfFormatException {
        for (ElfSection section : input.elf().sections()) {
            if ((section.flags() & ElfSection.SHF_ALLOC) == 0 || section.type() == ElfSection.SHT_RELA
                    || section.isExecutable() || SpecialSections.dropped(section.name())
                    || SpecialSections.isPaired(section.name())) {
                continue;
            }
            Optional<SpecialSections.Table> table = SpecialSections.table(section.name());
            if (table.isPresent()) {
                keep(table.get(), section);
            } else if (!SpecialSections.plain(section.name()) && pointsIntoCarried(section)) {
                // Code and ordinary data that point at carried code are its callers and users: they keep the old
                // address, which the livepatch core redirects. Anything else may describe it, and is not dropped.
                refusals.add(section.name() + " describes carried code and is not a section patchvisor knows how "
                        + "to cut down");
            }
        }
    }

    private void keep(SpecialSections.Table table, ElfSection section) throws ElfFormatException {
        if (section.size() % table.entrySize() != 0) {
            refusals.add(section.name() + " is not a whole number of " + table.entrySize() + "-byte entries");
            return;
        }
        KeptTable kept = tables.computeIfAbsent(section.index(), k -> new KeptTable(table, section,
                new ArrayList<>()));
        Map<Integer, List<ElfRelocation>> byEntry = new TreeMap<>();
        for (ElfRelocation r : input.relocations(section)) {
            int entry = (int) (r.offset() / table.entrySize());
            if (r.offset() + input.width(r) > (long) (entry + 1) * table.entrySize()) {
                throw new ElfFormatException(String.format("%s: a relocation at 0x%x runs past its %d-byte entry",
                        section.name(), r.offset(), table.entrySize()));
            }
            byEntry.computeIfAbsent(entry, k -> new ArrayList<>()).add(r);
        }
        byte[] bytes = section.contents();
        for (Map.Entry<Integer, List<ElfRelocation>> e : byEntry.entrySet()) {
            int entry = e.getKey();
            if (kept.entries().contains(entry)) {
                continue;
            }
            long anchorAt = (long) entry * table.entrySize() + table.anchor();
            Optional<ElfRelocation> anchor = e.getValue().stream().filter(r -> r.offset() == anchorAt).findFirst();
            if (anchor.isEmpty() || !anchoredInCarried(anchor.get(), table.pairedWith().isPresent())) {
                continue;
            }
            // An empty alternative's replacement is the address where the one before it ends.
            long emptyReplacement = -1;
            if (section.name().equals(".altinstructions")) {
                int length = bytes[(int) anchorAt + 11] & 0xff;
                carryReplacement(e.getValue(), anchorAt, length);
                emptyReplacement = length == 0 ? anchorAt + 4 : -1;
            }
            kept.entries().add(entry);
            for (ElfRelocation r : e.getValue()) {
                boolean endMeant = (r.offset() == anchorAt && table.pairedWith().isPresent())
                        || r.offset() == emptyReplacement;
                Optional<Target> target = resolver.data(r, endMeant);
                long offset = r.offset() - (long) entry * table.entrySize();
                refuseModuleKey(section.name(), offset, target);
                target.ifPresent(t -> pending.add(new Pending(new TableEntry(kept, entry), offset, r.type(), t)));
            }
        }
    }

    /**
     * A jump label or static call whose key lives in a module: the kernel links such sites to their key when the
     * patch module loads, which it cannot do for a key of a module that may load later or go away.
     */
    private void refuseModuleKey(String section, long offset, Optional<Target> target) {
        boolean key = (section.equals("__jump_table") && offset == 8)
                || (section.equals(".static_call_sites") && offset == 4);
        if (key && target.isPresent() && target.get() instanceof Kernel k && k.ofModule()) {
            refusals.add("a " + (section.equals("__jump_table") ? "static key" : "static call")
                    + " of the carried code lives in a module (" + k.name() + ")");
        }
    }

    /** An alternative's replacement instructions: exactly its bytes of {@code .altinstr_replacement}. */
    private void carryReplacement(List<ElfRelocation> entry, long anchorAt, int length)
            throws ElfFormatException {
        for (ElfRelocation r : entry) {
            Optional<ElfSymbol> s = input.symbolOf(r);
            if (r.offset() == anchorAt + 4 && s.isPresent() && input.defined(s.get())) {
                long start = s.get().value() + r.addend();
                if (carried.at(s.get().sectionIndex(), start, false).isEmpty() && length > 0) {
                    carried.add(new Piece(s.get().sectionIndex(), start, start + length, Optional.empty()));
                }
            }
        }
    }

    /**
     * The entry anchored by {@code r} describes carried code. With {@code endToo} an entry just past the end of
     * carried code counts (an ORC terminator ends it); any other table's entry there describes the next function.
     */
    private boolean anchoredInCarried(ElfRelocation r, boolean endToo) {
        Optional<ElfSymbol> s = input.symbolOf(r);
        return s.isPresent() && input.defined(s.get())
                && carried.at(s.get().sectionIndex(), s.get().value() + r.addend(), endToo).isPresent();
    }

    /**
     * Some relocation of {@code section} outside what is carried of it points into carried code, or just past
     * its end.
     */
    private boolean pointsIntoCarried(ElfSection section) throws ElfFormatException {
        for (ElfRelocation r : input.relocations(section)) {
            if (carried.at(section.index(), r.offset(), false).isEmpty() && anchoredInCarried(r, true)) {
                return true;
            }
        }
        return false;
    }
}
