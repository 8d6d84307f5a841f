package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Symbol-map checks on a System.map excerpt (the shape of /boot/System.map-6.1.0-*-amd64). */
class SymbolMapTest {
    private static final String EXCERPT = """
            ffffffff81000000 T _stext
            ffffffff81234560 t cmdline_proc_show
            ffffffff81234600 t version_proc_show
            ffffffff81300010 t show_val
            ffffffff81400020 t show_val
            ffffffff81500030 t tcp_ack.isra.0
            ffffffff82600000 D linux_proc_banner
            ffffffff82700000 d cmdline_proc_show_data
            ffffffff81600040 W weak_thing
            """;
    private final SymbolMap map = SymbolMap.parse(EXCERPT);

    @Test
    void uniqueFunctionPasses() {
        assertDoesNotThrow(() -> map.check(new Replacement("cmdline_proc_show", "vmlinux", "x", 0)));
        assertDoesNotThrow(() -> map.check(new Replacement("cmdline_proc_show", "vmlinux", "x", 1)));
        assertDoesNotThrow(() -> map.check(new Replacement("weak_thing", "vmlinux", "x", 0)));
        assertEquals(List.of(0xffffffff81234560L), map.addresses("cmdline_proc_show"));
    }

    @Test
    void missingFunctionIsRefused() {
        BuildException e = assertThrows(BuildException.class,
                () -> map.check(new Replacement("no_such_function", "vmlinux", "x", 0)));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertEquals("function no_such_function is not in the target kernel's symbol map", e.getMessage());
    }

    @Test
    void dataSymbolIsNotAFunction() {
        assertThrows(BuildException.class, () -> map.check(new Replacement("linux_proc_banner", "vmlinux", "x", 0)));
    }

    @Test
    void renamedCloneIsNamedInTheRefusal() {
        BuildException e = assertThrows(BuildException.class,
                () -> map.check(new Replacement("tcp_ack", "vmlinux", "x", 0)));
        assertTrue(e.getMessage().contains("gcc renamed it: tcp_ack.isra.0"), e.getMessage());
        assertDoesNotThrow(() -> map.check(new Replacement("tcp_ack.isra.0", "vmlinux", "x", 0)));
    }

    @Test
    void ambiguousNameNeedsSymposAndListsCandidates() {
        BuildException e = assertThrows(BuildException.class,
                () -> map.check(new Replacement("show_val", "vmlinux", "x", 0)));
        assertEquals("function show_val is ambiguous (2 symbols: sympos 1 at ffffffff81300010, sympos 2 at "
                + "ffffffff81400020); set sympos", e.getMessage());
        assertDoesNotThrow(() -> map.check(new Replacement("show_val", "vmlinux", "x", 2)));
    }

    @Test
    void kallsymsKeepsModuleSymbolsApart() throws Exception {
        String kallsyms = "ffffffff81234560 t cmdline_proc_show\n"
                + "ffffffffc0a01000 t show_val\t[nfsd]\nffffffffc0a02000 t show_val\t[nfsd]\n"
                + "ffffffffc0b01000 t other\t[lockd]\n";
        SymbolMap vmlinux = SymbolMap.parse(kallsyms);
        assertEquals(List.of(0xffffffff81234560L), vmlinux.addresses("cmdline_proc_show"));
        assertEquals(List.of(), vmlinux.addresses("show_val"));
        SymbolMap nfsd = SymbolMap.parse(kallsyms, "nfsd");
        assertEquals(2, nfsd.addresses("show_val").size());
        assertThrows(BuildException.class, () -> nfsd.check(new Replacement("show_val", "nfsd", "x", 0)));
        assertTrue(SymbolMap.parse(kallsyms, "ext4").isEmpty());
    }

    @Test
    void debianStubMapIsRefusedWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path stub = tmp.resolve("System.map-6.1.0-56-amd64");
        java.nio.file.Files.writeString(stub,
                "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
        BuildException e = assertThrows(BuildException.class, () -> SymbolMap.read(stub));
        assertTrue(e.getMessage().contains("--symbol-map"), e.getMessage());
    }

    @Test
    void symposOutOfRangeIsRefused() {
        BuildException e = assertThrows(BuildException.class,
                () -> map.check(new Replacement("show_val", "vmlinux", "x", 3)));
        assertTrue(e.getMessage().contains("sympos 3 out of range, the kernel has 2"), e.getMessage());
    }
}
