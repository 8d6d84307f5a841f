package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading a kallsyms copy and Module.symvers as the livepatch core will count them. */
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
    void aStaticIsTheOneAmongItsUnitsSymbols() {
        // Two units, each with its own static helper, far apart in the link order.
        StringBuilder map = new StringBuilder("ffffffff81000000 t neighbour_a\nffffffff81000001 t helper\n");
        for (int i = 0; i < 40; i++) {
            map.append(String.format("ffffffff810001%02x t filler%d%n", i, i));
        }
        map.append("ffffffff81000300 t helper\nffffffff81000301 t own_neighbour\n");
        KernelSymbols symbols = KernelSymbols.parse(map.toString(), SYMVERS);
        assertEquals(OptionalInt.of(2), symbols.position("helper", Set.of("own_neighbour")));
        assertEquals(OptionalInt.of(1), symbols.position("helper", Set.of("neighbour_a")));
        assertEquals(OptionalInt.empty(), symbols.position("helper", Set.of("elsewhere")));
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
