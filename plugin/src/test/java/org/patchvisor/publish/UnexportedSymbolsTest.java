package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which undefined symbols of a gcc-compiled object go to the livepatch core, checked against a symbol map. */
class UnexportedSymbolsTest {
    private static final String MAP = """
            ffffffff81000000 T exported_len
            ffffffff81000100 t static_helper
            ffffffff81000200 t static_helper
            ffffffff82000000 D hidden_line
            ffffffff81000300 t static_helper\t[some_module]
            """;

    @TempDir
    Path tmp;
    private Path object;
    private Path symvers;

    @BeforeEach
    void build() throws Exception {
        object = Gcc.compile(tmp, "u", """
                extern char *hidden_line;
                extern int exported_len(const char *);
                extern int static_helper(int);
                int show(void) { return exported_len(hidden_line) + static_helper(2); }
                """);
        symvers = Files.writeString(tmp.resolve("Module.symvers"), "0x1234abcd\texported_len\tvmlinux\tEXPORT_SYMBOL\t\n");
    }

    @Test
    void unexportedSymbolsAreFoundWithTheirPositions() throws Exception {
        assertEquals(Map.of("hidden_line", 0, "static_helper", 2),
                UnexportedSymbols.of(object, symvers, () -> MAP, Map.of("static_helper", 2)));
    }

    @Test
    void anAmbiguousNameNeedsItsPosition() {
        BuildException e = assertThrows(BuildException.class,
                () -> UnexportedSymbols.of(object, symvers, () -> MAP, Map.of()));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().contains("static_helper is ambiguous (2 symbols: 1: t ffffffff81000100, "
                + "2: t ffffffff81000200); give its position in \"symbols\""), e.getMessage());
    }

    @Test
    void aNameTheKernelDoesNotHaveIsRefused() {
        BuildException e = assertThrows(BuildException.class, () -> UnexportedSymbols.of(object, symvers,
                () -> "ffffffff81000000 T exported_len\n", Map.of()));
        assertTrue(e.getMessage().contains("hidden_line is neither exported nor in the target kernel's symbol map"),
                e.getMessage());
        e = assertThrows(BuildException.class,
                () -> UnexportedSymbols.of(object, symvers, () -> MAP, Map.of("static_helper", 3)));
        assertTrue(e.getMessage().contains("static_helper: position 3 out of range, the kernel has 2"), e.getMessage());
    }

    @Test
    void theMapIsNotReadWhenEverythingIsExported() throws Exception {
        Files.writeString(symvers, "0x1\texported_len\tvmlinux\tEXPORT_SYMBOL\t\n0x2\thidden_line\tvmlinux\t"
                + "EXPORT_SYMBOL\t\n0x3\tstatic_helper\tvmlinux\tEXPORT_SYMBOL_GPL\t\n");
        assertEquals(Map.of(), UnexportedSymbols.of(object, symvers, () -> {
            throw new AssertionError("the map was read");
        }, Map.of()));
    }
}
