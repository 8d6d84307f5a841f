package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * Takes the changed and new functions out of the build with the fix, with what they need that the running kernel
 * does not have (their string literals, new static data, their {@code .cold} parts, the alternatives they use),
 * and the entries of the kernel's special sections that describe that code. Local constants they read travel with
 * them too. Everything else they refer to stays a reference to the running kernel's own copy, named by
 * {@link KernelReferences}: a live patch never duplicates kernel data that can change. The pieces are laid out
 * into a new object by {@link ExtractedObject}.
 *
 * <p>This class runs the extraction: {@link CarriedPieces} holds what is carried, {@link ReferenceResolver} says
 * what each relocation of it points at, {@link SpecialSectionCutter} keeps the table entries of carried code.
 */
final class FunctionExtractor {
    /** What a copied relocation belongs to: carried bytes, or a kept table entry. */
    sealed interface Owner permits Piece, TableEntry {
    }

    /** A byte range of one section of the build with the fix that the patch carries. */
    record Piece(int section, long start, long end, Optional<ElfSymbol> symbol) implements Owner {
        boolean covers(long location, boolean endToo) {
            return location >= start && (location < end || (endToo && location == end));
        }
    }

    /** Where a relocation of carried code or data points: into carried bytes, or at a kernel symbol. */
    sealed interface Target permits Inside, Kernel {
    }

    /** {@code value} is the offset in input {@code section} the relocation computes from (addend included). */
    record Inside(int section, long value, long location) implements Target {
    }

    /** A kernel symbol by the name the patch object uses, and the addend relative to it. */
    record Kernel(String name, long addend) implements Target {
        /** A module's klp symbol: resolved only when that module loads. */
        boolean ofModule() {
            return KlpSymbolName.ofModule(name);
        }
    }

    /** A relocation to write: in piece or table {@code owner}, at {@code offset} from its start. */
    record Pending(Owner owner, long offset, int type, Target target) {
    }

    /** The entries kept from one special section, by index in it, in the order they are kept. */
    record KeptTable(SpecialSections.Table table, ElfSection section, List<Integer> entries) {
    }

    /** Entry {@code entry} of a kept table: the owner of the relocations copied with it. */
    record TableEntry(KeptTable table, int entry) implements Owner {
    }

    private final ExtractionInput input;
    private final Set<String> extract;
    private final KernelReferences kernel;
    private final ExtractionRefusals refusals;
    private final CarriedPieces carried;
    private final ReferenceResolver resolver;
    private final SpecialSectionCutter cutter;
    private final List<Pending> pending = new ArrayList<>();

    /**
     * @param extract the symbol names (as in {@code post}) of the changed and new functions the patch carries
     */
    FunctionExtractor(String unit, UnitBuilds builds, Set<String> extract, KernelReferences kernel)
            throws ElfFormatException {
        this.input = new ExtractionInput(builds.postElf());
        this.extract = Set.copyOf(extract);
        this.kernel = kernel;
        this.refusals = new ExtractionRefusals(unit);
        this.carried = new CarriedPieces(input, refusals);
        this.resolver = new ReferenceResolver(input, carried, refusals, builds.pre(), builds.post(), extract,
                kernel);
        this.cutter = new SpecialSectionCutter(input, carried, resolver, refusals, pending);
    }

    /** Runs the extraction; refusals are collected in {@link #problems()}. */
    void run() throws ElfFormatException {
        for (ElfSymbol s : input.symbols()) {
            if (s.type() == ElfSymbol.STT_FUNC && input.defined(s) && extract.contains(s.name())) {
                carried.carry(s);
            }
        }
        // Carried code can pull in more code (a .cold part, an alternative), which has its own table entries.
        int before;
        do {
            before = carried.count();
            drainScans();
            cutter.keepEntries();
            drainScans();
        } while (carried.count() != before);
        refusals.addAll(kernel.problems());
    }

    List<String> problems() {
        return refusals.list();
    }

    Map<Integer, TreeMap<Long, Piece>> pieces() {
        return carried.bySection();
    }

    List<Pending> pending() {
        return pending;
    }

    Map<Integer, KeptTable> tables() {
        return cutter.tables();
    }

    /**
     * The kernel state the carried functions use through a copy of the patch's own, once for each function that
     * refers to it, in the order the references were found.
     */
    List<StateCopy> copies() {
        Map<Piece, StateCopy.Kind> copied = resolver.copies();
        Set<StateCopy> found = new LinkedHashSet<>();
        for (Pending p : pending) {
            if (p.owner() instanceof Piece user && user.symbol().filter(ElfSymbol::isFunction).isPresent()
                    && p.target() instanceof Inside inside) {
                carried.at(inside.section(), inside.location(), false).filter(copied::containsKey)
                        .ifPresent(data -> found.add(new StateCopy(SymbolNames.parentOf(user.symbol().get().name()),
                                data.symbol().map(ElfSymbol::name).orElseThrow(), copied.get(data))));
            }
        }
        return List.copyOf(found);
    }

    ElfFile elf() {
        return input.elf();
    }

    /** The piece of input {@code section} that holds {@code location} (or ends there, {@code endToo}), if any. */
    Optional<Piece> pieceAt(int section, long location, boolean endToo) {
        return carried.at(section, location, endToo);
    }

    /** Resolves the relocations of each carried piece not yet scanned. */
    private void drainScans() throws ElfFormatException {
        for (Optional<Piece> next = carried.nextUnscanned(); next.isPresent(); next = carried.nextUnscanned()) {
            Piece piece = next.get();
            ElfSection section = input.section(piece.section());
            Optional<List<X86Instructions.Instruction>> code = section.isExecutable()
                    ? X86Instructions.decode(Arrays.copyOfRange(section.contents(), (int) piece.start(),
                            (int) piece.end())) : Optional.empty();
            for (ElfRelocation r : input.relocations(section)) {
                if (r.offset() >= piece.start() && r.offset() < piece.end()) {
                    if (r.offset() + input.width(r) > piece.end()) {
                        throw new ElfFormatException(String.format("%s: a relocation at 0x%x runs past the end of "
                                + "%s at 0x%x", section.name(), r.offset(), piece.symbol().map(ElfSymbol::name)
                                .orElse("the carried bytes"), piece.end()));
                    }
                    Optional<Target> target = section.isExecutable() ? resolver.code(section, r,
                            endOfInstruction(code, (int) (r.offset() - piece.start()))) : resolver.data(r, false);
                    refuseModuleSymbolInPatchedCode(section.name(), target);
                    target.ifPresent(t -> pending.add(new Pending(piece, r.offset() - piece.start(), r.type(), t)));
                }
            }
        }
    }

    /**
     * Alternatives and paravirt sites are patched when the patch module loads, before the livepatch core applies
     * a module's klp relocations (when that module loads): such code would be copied unrelocated.
     */
    private void refuseModuleSymbolInPatchedCode(String section, Optional<Target> target) {
        if ((section.startsWith(".altinstr_replacement") || section.startsWith(".altinstr_aux"))
                && target.isPresent() && target.get() instanceof Kernel k && k.ofModule()) {
            refusals.add("an alternative of the carried code uses a module's symbol (" + k.name() + ")");
        }
    }

    /** How far past {@code field} the instruction holding it ends, when the code decodes. */
    private static Optional<Long> endOfInstruction(Optional<List<X86Instructions.Instruction>> code, int field) {
        return code.flatMap(all -> all.stream().filter(i -> i.contains(field)).findFirst())
                .map(i -> (long) (i.start() + i.length() - field));
    }
}
