package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.patchvisor.model.TaintFlags;
import org.patchvisor.model.TaintFlags.Taint;

class TaintFlagsTest {

    @Test
    void untaintedKernel() {
        TaintFlags flags = TaintFlags.parse("0\n");
        assertFalse(flags.isTainted());
        assertFalse(flags.isLivePatched());
        assertEquals("", flags.letters());
        assertEquals("Not tainted", flags.kernelString());
        assertEquals(List.of(), flags.descriptions());
    }

    @Test
    void livePatchedKernel() {
        TaintFlags flags = TaintFlags.parse("32768\n");
        assertTrue(flags.isLivePatched());
        assertEquals(Set.of(Taint.LIVEPATCH), flags.flags());
        assertEquals("GK", flags.letters());
        // Positions 0..18 as print_tainted() of Linux 6.1 fills them: G, 14 blanks, K, 3 blanks.
        assertEquals("Tainted: G" + " ".repeat(14) + "K" + " ".repeat(3), flags.kernelString());
        assertEquals(List.of("K: kernel has been live patched"), flags.descriptions());
    }

    @Test
    void outOfTreeUnsignedLivePatch() {
        // O (4096) + E (8192) + K (32768): what loading an unsigned out-of-tree live patch leaves behind.
        TaintFlags flags = TaintFlags.of(45056);
        assertEquals("GOEK", flags.letters());
        assertEquals(List.of(
                "O: externally-built (\"out-of-tree\") module was loaded",
                "E: unsigned module was loaded",
                "K: kernel has been live patched"), flags.descriptions());
        assertEquals("45056 (GOEK)", flags.toString());
    }

    @Test
    void proprietaryModuleShowsP() {
        TaintFlags flags = TaintFlags.of(1 | 512);
        assertEquals("PW", flags.letters());
        assertEquals("Tainted: P        W         ", flags.kernelString());
    }

    @Test
    void knowsTheNewestBits() {
        assertEquals("GTN", TaintFlags.of((1 << 17) | (1 << 18)).letters());
        TaintFlags fwctl = TaintFlags.of(1 << 19);
        assertEquals("GJ", fwctl.letters());
        assertEquals(29, fwctl.kernelString().length());
    }

    @Test
    void reportsUnknownBitsInsteadOfDroppingThem() {
        TaintFlags flags = TaintFlags.parse("9223372036888363008"); // 2^63 + 2^25 + 2^15
        assertEquals(List.of(25, 63), flags.unknownBits());
        assertTrue(flags.isLivePatched());
        assertEquals(List.of(
                "K: kernel has been live patched",
                "bit 25: unknown taint (value 33554432)",
                "bit 63: unknown taint (value 9223372036854775808)"), flags.descriptions());
        assertEquals("GK", flags.letters());
    }

    @Test
    void rejectsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaintFlags.parse("tainted"));
        assertEquals("not a kernel taint value: 'tainted'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaintFlags.parse("-1"));
    }

    @Test
    void everyKnownBitHasItsOwnLetter() {
        for (Taint taint : Taint.values()) {
            TaintFlags flags = TaintFlags.of(1L << taint.bit());
            assertEquals(Set.of(taint), flags.flags());
            assertEquals(List.of(), flags.unknownBits());
            assertEquals(taint == Taint.PROPRIETARY_MODULE ? "P" : "G" + taint.letter(), flags.letters());
        }
    }
}
