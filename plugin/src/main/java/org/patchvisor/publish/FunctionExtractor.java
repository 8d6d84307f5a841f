package org.patchvisor.publish;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * and the entries of the kernel's special sections that describe that code. Everything else they refer to stays a
 * reference to the running kernel's own copy, named by {@link KernelReferences}: a live patch never duplicates
 * kernel data. The pieces are laid out into a new object by {@link ExtractedObject}.
 */
final class FunctionExtractor {
    private static final long SHF_MERGE = 0x10;
    private static final long SHF_STRINGS = 0x20;

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

    private final ElfFile elf;
    private final List<ElfSymbol> symbols;
    private final ObjectImage pre;
    private final Map<String, String> postKeys = new HashMap<>();
    private final Set<String> extract;
    private final KernelReferences kernel;
    private final Map<Integer, List<ElfSymbol>> named = new HashMap<>();
    private final Map<Integer, TreeMap<Long, Piece>> pieces = new LinkedHashMap<>();
    private final Deque<Piece> unscanned = new ArrayDeque<>();
    private final List<Pending> pending = new ArrayList<>();
    private final Map<Integer, KeptTable> tables = new LinkedHashMap<>();
    private final Set<String> problems = new LinkedHashSet<>();
    private final String unit;

    /**
     * @param extract the symbol names (as in {@code post}) of the changed and new functions the patch carries
     */
    FunctionExtractor(String unit, ElfFile post, ObjectImage preImage, ObjectImage postImage, Set<String> extract,
                      KernelReferences kernel) throws ElfFormatException {
        this.unit = unit;
        this.elf = post;
        this.symbols = post.symbols();
        this.pre = preImage;
        this.extract = Set.copyOf(extract);
        this.kernel = kernel;
        postImage.functions().values().forEach(i -> postKeys.put(i.name(), i.key()));
        postImage.data().values().forEach(i -> postKeys.put(i.name(), i.key()));
        for (ElfSymbol s : symbols) {
            if ((s.type() == ElfSymbol.STT_FUNC || s.type() == ElfSymbol.STT_OBJECT) && defined(s)) {
                named.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
            }
        }
    }

    /** Runs the extraction; refusals are collected in {@link #problems()}. */
    void run() throws ElfFormatException {
        for (ElfSymbol s : symbols) {
            if (s.type() == ElfSymbol.STT_FUNC && defined(s) && extract.contains(s.name())) {
                carry(s);
            }
        }
        // Carried code can pull in more code (a .cold part, an alternative), which has its own table entries.
        int before;
        do {
            before = pieceCount();
            drainScans();
            keepTableEntries();
            drainScans();
        } while (pieceCount() != before);
        problems.addAll(kernel.problems());
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    Map<Integer, TreeMap<Long, Piece>> pieces() {
        return pieces;
    }

    List<Pending> pending() {
        return pending;
    }

    Map<Integer, KeptTable> tables() {
        return tables;
    }

    ElfFile elf() {
        return elf;
    }

    /** The piece of input {@code section} that holds {@code location}, if carried. */
    Optional<Piece> pieceAt(int section, long location, boolean endToo) {
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

    private int pieceCount() {
        return pieces.values().stream().mapToInt(Map::size).sum();
    }

    private boolean defined(ElfSymbol s) {
        return s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < 0xff00
                && s.sectionIndex() < elf.sections().size();
    }

    /** Carries the bytes of symbol {@code s}, once; a function's {@code .cold} part travels with it. */
    private Piece carry(ElfSymbol s) throws ElfFormatException {
        Optional<Piece> have = pieceAt(s.sectionIndex(), s.value(), false);
        if (have.isPresent()) {
            return have.get();
        }
        ElfSection section = elf.section(s.sectionIndex());
        if (ObjectImage.isInit(section.name())) {
            problems.add(unit + ": carried code refers to " + s.name() + " in " + section.name()
                    + ", init code or data that is gone once the kernel has booted");
        }
        Piece piece = add(new Piece(section.index(), s.value(), s.value() + Math.max(s.size(), 0), Optional.of(s)));
        if (s.type() == ElfSymbol.STT_FUNC) {
            for (ElfSymbol cold : symbols) {
                if (cold.type() == ElfSymbol.STT_FUNC && defined(cold) && cold.name().equals(s.name() + ".cold")) {
                    carry(cold);
                }
            }
        }
        return piece;
    }

    private Piece add(Piece piece) {
        pieces.computeIfAbsent(piece.section(), k -> new TreeMap<>()).put(piece.start(), piece);
        unscanned.add(piece);
        return piece;
    }

    private void drainScans() throws ElfFormatException {
        while (!unscanned.isEmpty()) {
            Piece piece = unscanned.poll();
            ElfSection section = elf.section(piece.section());
            Optional<List<X86Instructions.Instruction>> code = section.isExecutable()
                    ? X86Instructions.decode(java.util.Arrays.copyOfRange(section.contents(), (int) piece.start(),
                            (int) piece.end())) : Optional.empty();
            for (ElfRelocation r : relocations(section)) {
                if (r.offset() >= piece.start() && r.offset() < piece.end()) {
                    Optional<Target> target = section.isExecutable() ? resolveCode(section, r,
                            endOfInstruction(code, (int) (r.offset() - piece.start()))) : resolveData(r, false);
                    refuseModuleSymbolInPatchedCode(section.name(), target);
                    target.ifPresent(t -> pending.add(new Pending(piece, r.offset() - piece.start(), r.type(), t)));
                }
            }
        }
    }

    /** Keeps the entries of each special section that describe carried code; refuses unknown ones that do. */
    private void keepTableEntries() throws ElfFormatException {
        for (ElfSection section : elf.sections()) {
            // Code and ordinary data that point at carried code are its callers and users: they keep the old
            // address, which the livepatch core redirects.
            if ((section.flags() & ElfSection.SHF_ALLOC) == 0 || section.type() == ElfSection.SHT_RELA
                    || section.isExecutable() || SpecialSections.dropped(section.name())
                    || pieces.containsKey(section.index()) || SpecialSections.isPaired(section.name())) {
                continue;
            }
            Optional<SpecialSections.Table> table = SpecialSections.table(section.name());
            if (table.isEmpty()) {
                if (!SpecialSections.plain(section.name()) && pointsIntoCarried(section)) {
                    problems.add(unit + ": " + section.name() + " describes carried code and is not a section "
                            + "patchvisor knows how to cut down");
                }
                continue;
            }
            keep(table.get(), section);
        }
    }

    private void keep(SpecialSections.Table table, ElfSection section) throws ElfFormatException {
        if (section.size() % table.entrySize() != 0) {
            problems.add(unit + ": " + section.name() + " is not a whole number of " + table.entrySize()
                    + "-byte entries");
            return;
        }
        KeptTable kept = tables.computeIfAbsent(section.index(), k -> new KeptTable(table, section,
                new ArrayList<>()));
        Map<Integer, List<ElfRelocation>> byEntry = new TreeMap<>();
        for (ElfRelocation r : relocations(section)) {
            byEntry.computeIfAbsent((int) (r.offset() / table.entrySize()), k -> new ArrayList<>()).add(r);
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
                Optional<Target> target = resolveData(r, endMeant);
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
        if (key && target.isPresent() && target.get() instanceof Kernel k && k.name().startsWith(".klp.sym.")
                && !k.name().startsWith(".klp.sym.vmlinux.")) {
            problems.add(unit + ": a " + (section.equals("__jump_table") ? "static key" : "static call")
                    + " of the carried code lives in a module (" + k.name() + ")");
        }
    }

    /**
     * Alternatives and paravirt sites are patched when the patch module loads, before the livepatch core applies
     * a module's klp relocations (when that module loads): such code would be copied unrelocated.
     */
    private void refuseModuleSymbolInPatchedCode(String section, Optional<Target> target) {
        if ((section.startsWith(".altinstr_replacement") || section.startsWith(".altinstr_aux"))
                && target.isPresent() && target.get() instanceof Kernel k && k.name().startsWith(".klp.sym.")
                && !k.name().startsWith(".klp.sym.vmlinux.")) {
            problems.add(unit + ": an alternative of the carried code uses a module's symbol (" + k.name() + ")");
        }
    }

    /** An alternative's replacement instructions: exactly its bytes of {@code .altinstr_replacement}. */
    private void carryReplacement(List<ElfRelocation> entry, long anchorAt, int length) throws ElfFormatException {
        for (ElfRelocation r : entry) {
            if (r.offset() == anchorAt + 4 && r.symbolIndex() > 0 && r.symbolIndex() < symbols.size()) {
                ElfSymbol s = symbols.get(r.symbolIndex());
                if (defined(s)) {
                    long start = s.value() + r.addend();
                    if (pieceAt(s.sectionIndex(), start, false).isEmpty() && length > 0) {
                        add(new Piece(s.sectionIndex(), start, start + length, Optional.empty()));
                    }
                }
            }
        }
    }

    private boolean anchoredInCarried(ElfRelocation r, boolean endToo) {
        if (r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size()) {
            return false;
        }
        ElfSymbol s = symbols.get(r.symbolIndex());
        if (!defined(s)) {
            return false;
        }
        long location = s.value() + r.addend();
        // An ORC entry just past the end of carried code ends it (objtool's terminator): kept too. Any other
        // table's entry there describes the next function.
        return pieceAt(s.sectionIndex(), location, endToo).isPresent();
    }

    private boolean pointsIntoCarried(ElfSection section) throws ElfFormatException {
        for (ElfRelocation r : relocations(section)) {
            if (anchoredInCarried(r, false)) {
                return true;
            }
        }
        return false;
    }

    /** How far past {@code field} the instruction holding it ends, when the code decodes. */
    private static Optional<Long> endOfInstruction(Optional<List<X86Instructions.Instruction>> code, int field) {
        return code.flatMap(all -> all.stream().filter(i -> i.contains(field)).findFirst())
                .map(i -> (long) (i.start() + i.length() - field));
    }

    /**
     * Resolves a relocation of carried data or of a kept table entry. The address just past carried bytes means
     * their end only where {@code endMeant} says so (an ORC terminator, an empty alternative) or at the end of
     * the section; anywhere else it is the start of whatever follows them.
     */
    private Optional<Target> resolveData(ElfRelocation r, boolean endMeant) throws ElfFormatException {
        Optional<ElfSymbol> symbol = symbolOf(r);
        if (symbol.isEmpty() || !sectionRelative(symbol.get())) {
            return symbol.isEmpty() ? Optional.empty() : resolveNamed(r, symbol.get());
        }
        ElfSymbol s = symbol.get();
        long value = s.value() + r.addend();
        ElfSection section = elf.section(s.sectionIndex());
        Optional<Piece> ending = pieceAt(section.index(), value, true);
        if (ending.isPresent() && ending.get().end() == value && (endMeant || value == section.size())) {
            return Optional.of(new Inside(section.index(), value, value));
        }
        Optional<ElfSymbol> holder = holder(section.index(), value);
        if (holder.isPresent()) {
            return Optional.of(named(holder.get(), value - holder.get().value(), value));
        }
        return Optional.of(anonymous(section, value, value, false));
    }

    /**
     * Resolves a relocation of carried code: a PC-relative field counts from the end of its instruction
     * ({@code toEnd}, decoded). Code that does not decode is guessed at only where the guess cannot pick the
     * wrong object: a field may be followed by up to four bytes of immediate ({@code cmpb $0, x(%rip)} has one).
     */
    private Optional<Target> resolveCode(ElfSection code, ElfRelocation r, Optional<Long> toEnd)
            throws ElfFormatException {
        Optional<ElfSymbol> symbol = symbolOf(r);
        if (symbol.isEmpty() || !sectionRelative(symbol.get())) {
            return symbol.isEmpty() ? Optional.empty() : resolveNamed(r, symbol.get());
        }
        ElfSymbol s = symbol.get();
        long value = s.value() + r.addend();
        long bias = RelocationTypes.pcRelativeBias(ElfFile.EM_X86_64, r.type());
        boolean guessed = bias > 0 && toEnd.isEmpty();
        if (bias > 0 && toEnd.isPresent()) {
            bias = toEnd.get();
        }
        ElfSection section = elf.section(s.sectionIndex());
        if (guessed && named.getOrDefault(section.index(), List.of()).size() > 1) {
            problems.add(unit + ": the instruction at 0x" + Long.toHexString(r.offset()) + " of " + code.name()
                    + " does not decode, so which of the objects of " + section.name() + " it refers to is unknown");
            return Optional.empty();
        }
        for (long extra = 0; extra <= (guessed ? 4 : 0); extra++) {
            Optional<ElfSymbol> holder = holder(section.index(), value + bias + extra);
            if (holder.isPresent()) {
                return Optional.of(named(holder.get(), value - holder.get().value(), value));
            }
        }
        return Optional.of(anonymous(section, value, value + bias, true));
    }

    /** The symbol a relocation is against: empty for none; what the kernel's copy is for undefined ones. */
    private Optional<ElfSymbol> symbolOf(ElfRelocation r) {
        return r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size() ? Optional.empty()
                : Optional.of(symbols.get(r.symbolIndex()));
    }

    /** Relative to a section (or a local label in it): the bytes meant are found by address. */
    private static boolean sectionRelative(ElfSymbol s) {
        return s.type() == ElfSymbol.STT_SECTION
                || (s.type() == ElfSymbol.STT_NOTYPE && s.bind() == ElfSymbol.STB_LOCAL);
    }

    /** A relocation against a named or undefined symbol. */
    private Optional<Target> resolveNamed(ElfRelocation r, ElfSymbol s) throws ElfFormatException {
        if (s.sectionIndex() == ElfSymbol.SHN_UNDEF) {
            return Optional.of(new Kernel(kernel.nameFor(s.name(), false), r.addend()));
        }
        if (!defined(s)) {
            problems.add(unit + ": a relocation against " + s.name() + " (section index 0x"
                    + Integer.toHexString(s.sectionIndex()) + ") cannot be carried");
            return Optional.empty();
        }
        return Optional.of(named(s, r.addend(), s.value() + r.addend()));
    }

    /** A named function or object: carried when it is new or must travel, else the kernel's copy. */
    private Target named(ElfSymbol s, long addend, long value) throws ElfFormatException {
        Optional<Piece> carried = pieceAt(s.sectionIndex(), s.value(), false);
        if (carried.isPresent()) {
            return new Inside(s.sectionIndex(), value, s.value());
        }
        String sectionName = elf.section(s.sectionIndex()).name();
        if (ObjectImage.isInit(sectionName)) {
            problems.add(unit + ": carried code refers to " + s.name() + " in " + sectionName
                    + ", init code or data that is gone once the kernel has booted");
            return new Kernel(s.name(), addend);
        }
        String key = postKeys.getOrDefault(s.name(), SymbolNames.normalise(s.name()));
        boolean function = s.type() == ElfSymbol.STT_FUNC;
        CodeItem before = (function ? pre.functions() : pre.data()).get(key);
        if (before == null || (function && extract.contains(s.name()))) {
            carry(s);
            return new Inside(s.sectionIndex(), value, s.value());
        }
        return new Kernel(kernel.nameFor(before.name(), before.local()), addend);
    }

    /** Unnamed bytes: string literals and constant pools are carried whole; anything else is not understood. */
    private Target anonymous(ElfSection section, long value, long location, boolean endToo) {
        boolean strings = (section.flags() & SHF_MERGE) != 0 && (section.flags() & SHF_STRINGS) != 0;
        // .altinstr_aux holds static_cpu_has()'s slow-path tests, unnamed, jumping back into their functions.
        boolean constants = (section.name().startsWith(".rodata") || section.name().equals(".altinstr_aux"))
                && named.getOrDefault(section.index(), List.of()).isEmpty();
        if (ObjectImage.isInit(section.name())) {
            problems.add(unit + ": carried code refers to " + section.name() + ", init code or data that is gone "
                    + "once the kernel has booted");
        } else if (pieceAt(section.index(), location, endToo).isEmpty()) {
            if (strings || constants) {
                add(new Piece(section.index(), 0, section.size(), Optional.empty()));
            } else {
                problems.add(unit + ": carried code refers to unnamed bytes at 0x" + Long.toHexString(location)
                        + " of " + section.name());
            }
        }
        return new Inside(section.index(), value, location);
    }

    /** The named function or object of {@code section} that holds {@code location}. */
    private Optional<ElfSymbol> holder(int section, long location) {
        for (ElfSymbol candidate : named.getOrDefault(section, List.of())) {
            if (location >= candidate.value() && location < candidate.value() + Math.max(candidate.size(), 1)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private final Map<Integer, List<ElfRelocation>> relocationCache = new HashMap<>();

    private List<ElfRelocation> relocations(ElfSection section) throws ElfFormatException {
        List<ElfRelocation> cached = relocationCache.get(section.index());
        if (cached == null) {
            Optional<ElfSection> rela = elf.relocationSectionFor(section);
            cached = rela.isPresent() ? elf.relocations(rela.get()) : List.of();
            relocationCache.put(section.index(), cached);
        }
        return cached;
    }
}
