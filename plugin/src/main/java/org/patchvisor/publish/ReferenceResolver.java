package org.patchvisor.publish;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.publish.FunctionExtractor.Inside;
import org.patchvisor.publish.FunctionExtractor.Kernel;
import org.patchvisor.publish.FunctionExtractor.Piece;
import org.patchvisor.publish.FunctionExtractor.Target;

/**
 * Says what each relocation of carried code, carried data or a kept table entry points at: bytes the patch
 * carries (and carries them when they are new: a new function or object, string literals, local constants), or
 * the running kernel's own copy, named by {@link KernelReferences}. A section-relative reference is resolved to
 * the named function or object at the address it means. The flag of a once-only warning the kernel already has is
 * carried as a fresh copy, and so is the descriptor of a pr_debug whose text the fix changes or that it adds
 * ({@link StateCopy}).
 */
final class ReferenceResolver {
    /**
     * The names (normalised) of the flags of once-only warnings: {@code __already_done} of {@code DO_ONCE_LITE}
     * (WARN_ONCE, pr_*_once, printk_once), {@code __print_once} of the networking and libata ones, {@code __warned}
     * of RCU_LOCKDEP_WARN and VM_WARN_ONCE.
     */
    private static final Set<String> ONCE_FLAGS = Set.of("__already_done", "__print_once", "__warned");
    /** DO_ONCE's flag: it guards a one-time initialisation, which a fresh copy could run a second time. */
    private static final String DO_ONCE_DONE = "___done";

    private final ExtractionInput input;
    private final CarriedPieces carried;
    private final ExtractionRefusals refusals;
    private final ObjectImage pre;
    private final Map<String, String> postKeys = new HashMap<>();
    private final Set<String> extract;
    private final KernelReferences kernel;
    private final Map<Piece, StateCopy.Kind> copies = new LinkedHashMap<>();
    private final Set<String> changedDescriptors;

    ReferenceResolver(ExtractionInput input, CarriedPieces carried, ExtractionRefusals refusals, ObjectImage pre,
                      ObjectImage post, Set<String> extract, KernelReferences kernel) {
        this.input = input;
        this.carried = carried;
        this.refusals = refusals;
        this.pre = pre;
        this.extract = Set.copyOf(extract);
        this.kernel = kernel;
        post.functions().values().forEach(i -> postKeys.put(i.name(), i.key()));
        post.data().values().forEach(i -> postKeys.put(i.name(), i.key()));
        this.changedDescriptors = Set.copyOf(DebugDescriptors.changed(pre, post).keySet());
    }

    /**
     * Resolves a relocation of carried data or of a kept table entry. The address just past carried bytes means
     * their end only where {@code endMeant} says so (an ORC terminator, an empty alternative) or at the end of
     * the section; anywhere else it is the start of whatever follows them.
     */
    Optional<Target> data(ElfRelocation r, boolean endMeant) throws ElfFormatException {
        Optional<ElfSymbol> symbol = input.symbolOf(r);
        if (symbol.isEmpty() || !sectionRelative(symbol.get())) {
            return symbol.isEmpty() ? Optional.empty() : named(r, symbol.get());
        }
        ElfSymbol s = symbol.get();
        long value = s.value() + r.addend();
        ElfSection section = input.section(s.sectionIndex());
        Optional<Piece> ending = carried.at(section.index(), value, true);
        if (ending.isPresent() && ending.get().end() == value && (endMeant || value == section.size())) {
            return Optional.of(new Inside(section.index(), value, value));
        }
        Optional<ElfSymbol> holder = input.holder(section.index(), value);
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
    Optional<Target> code(ElfSection code, ElfRelocation r, Optional<Long> toEnd) throws ElfFormatException {
        Optional<ElfSymbol> symbol = input.symbolOf(r);
        if (symbol.isEmpty() || !sectionRelative(symbol.get())) {
            return symbol.isEmpty() ? Optional.empty() : named(r, symbol.get());
        }
        ElfSymbol s = symbol.get();
        long value = s.value() + r.addend();
        long bias = RelocationTypes.pcRelativeBias(ElfFile.EM_X86_64, r.type());
        boolean guessed = bias > 0 && toEnd.isEmpty();
        if (bias > 0 && toEnd.isPresent()) {
            bias = toEnd.get();
        }
        ElfSection section = input.section(s.sectionIndex());
        if (guessed && input.named(section.index()).size() > 1) {
            refusals.add("the instruction at 0x" + Long.toHexString(r.offset()) + " of " + code.name()
                    + " does not decode, so which of the objects of " + section.name() + " it refers to is unknown");
            return Optional.empty();
        }
        for (long extra = 0; extra <= (guessed ? 4 : 0); extra++) {
            Optional<ElfSymbol> holder = input.holder(section.index(), value + bias + extra);
            if (holder.isPresent()) {
                return Optional.of(named(holder.get(), value - holder.get().value(), value));
            }
        }
        return Optional.of(anonymous(section, value, value + bias, true));
    }

    /** Relative to a section (or a local label in it): the bytes meant are found by address. */
    private static boolean sectionRelative(ElfSymbol s) {
        return s.type() == ElfSymbol.STT_SECTION
                || (s.type() == ElfSymbol.STT_NOTYPE && s.bind() == ElfSymbol.STB_LOCAL);
    }

    /** A relocation against a named or undefined symbol. */
    private Optional<Target> named(ElfRelocation r, ElfSymbol s) throws ElfFormatException {
        if (s.sectionIndex() == ElfSymbol.SHN_UNDEF) {
            return Optional.of(new Kernel(kernel.nameFor(s.name(), false), r.addend()));
        }
        if (!input.defined(s)) {
            refusals.add("a relocation against " + s.name() + " (section index 0x"
                    + Integer.toHexString(s.sectionIndex()) + ") cannot be carried");
            return Optional.empty();
        }
        return Optional.of(named(s, r.addend(), s.value() + r.addend()));
    }

    /** A named function or object: carried when it is new or must travel, else the kernel's copy. */
    private Target named(ElfSymbol s, long addend, long value) throws ElfFormatException {
        if (carried.at(s.sectionIndex(), s.value(), false).isPresent()) {
            return new Inside(s.sectionIndex(), value, s.value());
        }
        String sectionName = input.section(s.sectionIndex()).name();
        if (ObjectImage.isInit(sectionName)) {
            refusals.initGone(s.name(), sectionName);
            return new Kernel(s.name(), addend);
        }
        String key = postKeys.getOrDefault(s.name(), SymbolNames.normalise(s.name()));
        boolean function = s.type() == ElfSymbol.STT_FUNC;
        CodeItem before = (function ? pre.functions() : pre.data()).get(key);
        boolean descriptor = !function && sectionName.equals(DebugDescriptors.SECTION)
                && (before == null || changedDescriptors.contains(key));
        if (before == null || (function && extract.contains(s.name())) || constant(s) || descriptor) {
            Piece piece = carried.carry(s);
            if (descriptor) {
                copies.put(piece, StateCopy.Kind.DEBUG_DESCRIPTOR);
            }
            return new Inside(s.sectionIndex(), value, s.value());
        }
        if (onceFlag(s)) {
            copies.put(carried.carry(s), StateCopy.Kind.ONCE_FLAG);
            return new Inside(s.sectionIndex(), value, s.value());
        }
        return new Kernel(kernel.nameFor(before.name(), before.local()), addend);
    }

    /** The kernel's objects carried as copies of the patch's own, by the piece that carries each. */
    Map<Piece, StateCopy.Kind> copies() {
        return copies;
    }

    /**
     * The flag of a once-only warning: a local object in {@code .data.once} (where 6.1 puts them all) or named as
     * one, that starts unset. The kernel's copy cannot be referred to, since kallsyms lists dozens of each name and
     * {@code .data.once} holds nothing else to find a unit's block by; the patch carries a fresh one instead, at
     * the price of the warning being printed once more.
     */
    private boolean onceFlag(ElfSymbol s) throws ElfFormatException {
        ElfSection section = input.section(s.sectionIndex());
        String name = SymbolNames.normalise(s.name());
        if (s.type() != ElfSymbol.STT_OBJECT || s.bind() != ElfSymbol.STB_LOCAL || s.size() <= 0
                || name.equals(DO_ONCE_DONE) || !(section.name().equals(".data.once") || ONCE_FLAGS.contains(name))) {
            return false;
        }
        if (s.value() < 0 || s.value() + s.size() > section.size()) {
            throw new ElfFormatException(String.format("%s[0x%x, 0x%x) lies outside section %s (0x%x bytes)",
                    s.name(), s.value(), s.value() + s.size(), section.name(), section.size()));
        }
        if (section.hasFileBytes()) {
            byte[] bytes = section.contents();
            for (long i = s.value(); i < s.value() + s.size(); i++) {
                if (bytes[(int) i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A local read-only object of known size that the patch copies instead of referring to the kernel's: its
     * bytes never change, so the copy is the same to read, and the kernel's copy need not be found among the many
     * of its name in kallsyms ({@code __func__.N}, {@code CSWTCH.N}, tables of strings). Its own relocations are
     * resolved as the code's are. An object that points at code or at symbols of other units (which may be
     * code: a table of operations) stays the kernel's: its address may be compared or registered.
     */
    private boolean constant(ElfSymbol s) throws ElfFormatException {
        ElfSection section = input.section(s.sectionIndex());
        long notConstant = ElfSection.SHF_WRITE | ElfSection.SHF_EXECINSTR | ElfSection.SHF_MERGE;
        if (s.type() != ElfSymbol.STT_OBJECT || s.bind() != ElfSymbol.STB_LOCAL || s.size() <= 0
                || !section.name().startsWith(".rodata") || (section.flags() & ElfSection.SHF_ALLOC) == 0
                || (section.flags() & notConstant) != 0) {
            return false;
        }
        for (ElfRelocation r : input.relocations(section)) {
            if (r.offset() < s.value() || r.offset() >= s.value() + s.size()) {
                continue;
            }
            Optional<ElfSymbol> target = input.symbolOf(r);
            if (target.isEmpty() || !input.defined(target.get()) || target.get().type() == ElfSymbol.STT_FUNC
                    || input.section(target.get().sectionIndex()).isExecutable()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Unnamed bytes: string literals and constant pools are carried whole; anything else is not understood.
     * {@code endToo}: the end of bytes already carried is the place meant.
     */
    private Target anonymous(ElfSection section, long value, long location, boolean endToo)
            throws ElfFormatException {
        boolean strings = (section.flags() & ElfSection.SHF_MERGE) != 0
                && (section.flags() & ElfSection.SHF_STRINGS) != 0;
        // .altinstr_aux holds static_cpu_has()'s slow-path tests, unnamed, jumping back into their functions.
        boolean constants = (section.name().startsWith(".rodata") || section.name().equals(".altinstr_aux"))
                && input.named(section.index()).isEmpty();
        if (ObjectImage.isInit(section.name())) {
            refusals.initGone("unnamed bytes at 0x" + Long.toHexString(location), section.name());
        } else if (carried.at(section.index(), location, endToo).isEmpty()) {
            if (strings || constants) {
                carried.add(new Piece(section.index(), 0, section.size(), Optional.empty()));
            } else {
                refusals.add("carried code refers to unnamed bytes at 0x" + Long.toHexString(location) + " of "
                        + section.name());
            }
        }
        return new Inside(section.index(), value, location);
    }
}
