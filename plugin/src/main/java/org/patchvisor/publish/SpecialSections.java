package org.patchvisor.publish;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's special sections an x86-64 object carries: tables of fixed-size entries, each describing one place
 * in the code (an exception fixup, a jump label, an alternative, a return thunk site, an ORC unwind entry…), which
 * the module loader reads when the live patch loads. A generated patch keeps exactly the entries whose code it
 * extracted. Sizes and layouts are those of Linux 6.1's headers: {@code struct exception_table_entry},
 * {@code struct bug_entry} (relative pointers, verbose), {@code struct jump_entry}, {@code struct alt_instr},
 * {@code struct static_call_site}, {@code struct paravirt_patch_site}, {@code struct orc_entry}. Sections the
 * loader never sees in a module, or that describe no code, are dropped; any other allocated section that points
 * into extracted code is not understood, and the build is refused.
 */
final class SpecialSections {
    /**
     * One table: entry size and the offset in each entry of the relocation that says which code it is about.
     * {@code pairedWith} names a table without relocations whose entry {@code i} belongs to entry {@code i} here
     * ({@code .orc_unwind} of {@code .orc_unwind_ip}), with its entry size.
     */
    record Table(String name, int entrySize, int anchor, Optional<String> pairedWith, int pairedSize) {
    }

    private static final Map<String, Table> TABLES = Map.ofEntries(
            table("__ex_table", 12, 0),
            table("__bug_table", 12, 0),
            table("__jump_table", 16, 0),
            table(".altinstructions", 12, 0),
            table(".static_call_sites", 8, 0),
            table(".parainstructions", 16, 0),
            table(".retpoline_sites", 4, 0),
            table(".return_sites", 4, 0),
            table(".call_sites", 4, 0),
            table(".smp_locks", 4, 0),
            table(".ibt_endbr_seal", 4, 0),
            table("__mcount_loc", 8, 0),
            table("__patchable_function_entries", 8, 0),
            Map.entry(".orc_unwind_ip", new Table(".orc_unwind_ip", 4, 0, Optional.of(".orc_unwind"), 6)));

    /** Sections never linked into a module or describing nothing the patch needs. */
    private static final List<String> DROPPED_PREFIXES = List.of(".discard", ".debug_", ".note", ".comment",
            "__ksymtab", "__kcrctab", "___ksymtab", "___kcrctab", ".export_symbol", ".initcall", ".con_initcall",
            ".init.", ".exit.", "__param", ".modinfo", ".gnu.", ".llvm");

    private SpecialSections() {
    }

    private static Map.Entry<String, Table> table(String name, int size, int anchor) {
        return Map.entry(name, new Table(name, size, anchor, Optional.empty(), 0));
    }

    static Optional<Table> table(String section) {
        return Optional.ofNullable(TABLES.get(section));
    }

    /** The companion of a paired table ({@code .orc_unwind}): handled with its partner, never on its own. */
    static boolean isPaired(String section) {
        return TABLES.values().stream().anyMatch(t -> t.pairedWith().filter(section::equals).isPresent());
    }

    /**
     * Sections a module never carries for code it replaces (debug info, exports, init calls, parameters, notes);
     * a parameter or export the fix adds is refused by the comparison ({@link AddedDeclarations}).
     */
    static boolean dropped(String section) {
        return DROPPED_PREFIXES.stream().anyMatch(section::startsWith) || section.equals(".init")
                || section.equals(".exit");
    }

    /** Ordinary code and data, whose pieces are copied by symbol: not tables. */
    static boolean plain(String section) {
        return section.startsWith(".text") || section.startsWith(".rodata") || section.startsWith(".data")
                || section.startsWith(".bss") || section.equals("__dyndbg") || section.startsWith(".sched.text")
                || section.startsWith(".altinstr_replacement") || section.equals(".altinstr_aux")
                || section.startsWith(".fixup")
                || section.startsWith(".ref.text") || section.startsWith(".cpuidle.text")
                || section.startsWith(".spinlock.text") || section.startsWith(".lock.text");
    }
}
