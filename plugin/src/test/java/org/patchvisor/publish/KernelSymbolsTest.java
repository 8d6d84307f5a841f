package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reading a kallsyms copy and Module.symvers as the livepatch core will count them, and telling which listing of a
 * repeated name is a unit's own, on an excerpt of the Debian 6.1 kernel's real map with kernel/workqueue.o's real
 * symbols (src/test/resources/kallsyms).
 */
class KernelSymbolsTest {
    private static final String MAP = """
            0000000000006000 A cpu_tss_rw
            0000000000007000 A pv_counter
            ffffffff81000000 t helper
            ffffffff81000010 t neighbour_a
            ffffffff81000020 d pv_counter
            ffffffff81000030 t helper
            ffffffff81000040 t own_neighbour
            ffffffffc0000000 t v9fs_thing\t[9p]
            ffffffffc0000010 T p9_client_create\t[9pnet]
            """;
    private static final String SYMVERS = "0x1\tcpu_tss_rw\tvmlinux\tEXPORT_SYMBOL\t\n"
            + "0x2\tp9_client_create\tnet/9p/9pnet\tEXPORT_SYMBOL\t\n";

    @Test
    void perCpuVariablesListedAbsoluteCountLikeAnySymbol() {
        KernelSymbols symbols = KernelSymbols.parse(MAP, SYMVERS);
        assertEquals(2, symbols.inVmlinux("pv_counter").size(), "the per-cpu 'A' listing and the static");
        assertTrue(symbols.exported("cpu_tss_rw"));
    }

    @Test
    void aRepeatedNameIsTheListingInsideItsUnitsBlockOfTheSameSection() throws IOException {
        KernelSymbols symbols = KernelSymbols.parse(resource("debian-6.1.0-57-amd64-excerpt"), SYMVERS);
        UnitSymbols workqueue = workqueue();
        // kernel/workqueue.c's own clone sits among its functions; kernel/reboot.c's comes later in the text.
        assertListing(symbols, workqueue, "cpumask_weight.constprop.0", 1, 0xffffffffa7cc2c00L);
        // Its __func__ strings sit just before wq_sysfs_group, not in the drivers' .rodata listed first.
        assertListing(symbols, workqueue, "__func__.8", 4, 0xffffffffa8c20970L);
        assertListing(symbols, workqueue, "__func__.9", 4, 0xffffffffa8c20988L);
        // Another file's pwq_cache is a .data object; workqueue's is in its .bss block.
        assertListing(symbols, workqueue, "pwq_cache", 2, 0xffffffffaab845e0L);
        assertEquals(KernelSymbols.Position.of(0), symbols.position("__queue_work", workqueue), "listed once");
    }

    @Test
    void theBlockRunsOnOverTheUnitsOwnNamesInTheOrderItEmittedThem() throws IOException {
        KernelSymbols symbols = KernelSymbols.parse(resource("debian-6.1.0-57-amd64-excerpt"), SYMVERS);
        // mm/page_alloc.c's .rodata: two __func__ strings before its first uniquely named constant, and
        // mm/shuffle.c's __func__.2 right after its last one, which is not page_alloc's since it comes out of order.
        UnitSymbols pageAlloc = UnitSymbols.of(Stream.of("__func__.0", "__func__.2", "__func__.3", "types.8",
                "__func__.9", "__func__.16", "fallbacks", "zone_names").map(n -> new UnitSymbols.Symbol(n,
                ".rodata." + n, false, UnitSymbols.Binding.LOCAL)).toList());
        KernelSymbols.Position position = symbols.position("__func__.2", pageAlloc);
        assertTrue(position.found(), position.refusal());
        assertEquals(0xffffffffa8c3cfe0L, symbols.inVmlinux("__func__.2").get(position.sympos() - 1).address());
    }

    @Test
    void aSectionWithoutAnAnchorIsRefused() throws IOException {
        KernelSymbols symbols = KernelSymbols.parse(resource("debian-6.1.0-57-amd64-excerpt"), SYMVERS);
        // Every flag of .data.once is an __already_done.N: nothing in that block is named once in the map.
        KernelSymbols.Position position = symbols.position("__already_done.14", workqueue());
        assertEquals("the map lists 3 symbols of that name, and its unit has no symbol in .data.once that the map "
                + "lists once to find the unit's among them", position.refusal());
    }

    @Test
    void noneOrSeveralListingsInsideTheBlockAreRefused() {
        KernelSymbols symbols = KernelSymbols.parse("""
                ffffffff81000000 t helper
                ffffffff81000010 t stray
                ffffffff81000100 T unit_first
                ffffffff81000110 t helper
                ffffffff81000120 t helper
                ffffffff81000130 T unit_last
                ffffffff81000200 t stray
                """, SYMVERS);
        UnitSymbols unit = UnitSymbols.of(List.of(text("unit_first", UnitSymbols.Binding.GLOBAL),
                text("helper", UnitSymbols.Binding.LOCAL), text("stray", UnitSymbols.Binding.LOCAL),
                text("unit_last", UnitSymbols.Binding.GLOBAL)));
        assertEquals("the map lists 3 symbols of that name, and 2 of them lie among its unit's .text symbols "
                + "(unit_first to unit_last)", symbols.position("helper", unit).refusal());
        assertEquals("the map lists 2 symbols of that name, and none of them lie among its unit's .text symbols "
                + "(unit_first to unit_last)", symbols.position("stray", unit).refusal());
    }

    @Test
    void aWeakOrWronglyTypedListingIsNoAnchor() {
        // unit_first is listed once, but as a global of another file (this unit's static was not kept); the weak
        // unit_last was overridden by another file's strong one.
        KernelSymbols symbols = KernelSymbols.parse("""
                ffffffff81000000 T unit_first
                ffffffff81000010 t helper
                ffffffff81000110 t helper
                ffffffff81000200 T unit_last
                """, SYMVERS);
        UnitSymbols unit = UnitSymbols.of(List.of(text("unit_first", UnitSymbols.Binding.LOCAL),
                text("helper", UnitSymbols.Binding.LOCAL), text("unit_last", UnitSymbols.Binding.WEAK)));
        assertTrue(symbols.position("helper", unit).refusal().contains("no symbol in .text"));
    }

    private static UnitSymbols.Symbol text(String name, UnitSymbols.Binding binding) {
        return new UnitSymbols.Symbol(name, ".text." + name, true, binding);
    }

    private static void assertListing(KernelSymbols symbols, UnitSymbols unit, String name, int sympos,
                                      long address) {
        KernelSymbols.Position position = symbols.position(name, unit);
        assertEquals(KernelSymbols.Position.of(sympos), position, name + ": " + position.refusal());
        assertEquals(address, symbols.inVmlinux(name).get(sympos - 1).address(), name);
    }

    /** kernel/workqueue.o's functions and objects, as the resource lists them from readelf. */
    private static UnitSymbols workqueue() throws IOException {
        List<UnitSymbols.Symbol> symbols = new ArrayList<>();
        for (String line : resource("workqueue-symbols").split("\n")) {
            if (!line.startsWith("#")) {
                String[] f = line.split(" ");
                symbols.add(new UnitSymbols.Symbol(f[3], f[2], f[0].equals("FUNC"),
                        UnitSymbols.Binding.valueOf(f[1])));
            }
        }
        return UnitSymbols.of(symbols);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = KernelSymbolsTest.class.getResourceAsStream("/kallsyms/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void onlyWhatVmlinuxExportsIsExportedAndModuleSymbolsStayWithTheirModule() {
        KernelSymbols symbols = KernelSymbols.parse(MAP, SYMVERS);
        assertFalse(symbols.exported("p9_client_create"), "a module's export would tie the patch to the module");
        assertEquals("9pnet", symbols.moduleDefining("p9_client_create").orElseThrow());
        assertEquals(1, symbols.inModule("9p", "v9fs_thing").size());
        assertTrue(symbols.inVmlinux("v9fs_thing").isEmpty());
    }
}
