package org.patchvisor.model;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel taint mask ({@code /proc/sys/kernel/tainted}) decoded the way the kernel prints it, following
 * Documentation/admin-guide/tainted-kernels.rst. A live patch leaves K (bit 15) behind for good, an unsigned
 * one also E (bit 13): reports show these so nobody mistakes them for a problem. Bits this table does not
 * know (newer kernels) are kept and reported as unknown, never dropped.
 */
public record TaintFlags(long mask) {

    /** One taint bit: its number, the letter printed when set, and what it means. */
    public enum Taint {
        PROPRIETARY_MODULE(0, 'P', "proprietary module was loaded"),
        FORCED_MODULE(1, 'F', "module was force loaded"),
        CPU_OUT_OF_SPEC(2, 'S', "kernel running on an out of specification system"),
        FORCED_RMMOD(3, 'R', "module was force unloaded"),
        MACHINE_CHECK(4, 'M', "processor reported a Machine Check Exception (MCE)"),
        BAD_PAGE(5, 'B', "bad page referenced or some unexpected page flags"),
        USER(6, 'U', "taint requested by userspace application"),
        DIE(7, 'D', "kernel died recently, i.e. there was an OOPS or BUG"),
        OVERRIDDEN_ACPI_TABLE(8, 'A', "ACPI table overridden by user"),
        WARN(9, 'W', "kernel issued warning"),
        CRAP(10, 'C', "staging driver was loaded"),
        FIRMWARE_WORKAROUND(11, 'I', "workaround for bug in platform firmware applied"),
        OOT_MODULE(12, 'O', "externally-built (\"out-of-tree\") module was loaded"),
        UNSIGNED_MODULE(13, 'E', "unsigned module was loaded"),
        SOFTLOCKUP(14, 'L', "soft lockup occurred"),
        LIVEPATCH(15, 'K', "kernel has been live patched"),
        AUX(16, 'X', "auxiliary taint, defined for and used by distros"),
        RANDSTRUCT(17, 'T', "kernel was built with the struct randomization plugin"),
        TEST(18, 'N', "an in-kernel test has been run"),
        FWCTL(19, 'J', "userspace used a mutating debug operation in fwctl");

        private final int bit;
        private final char letter;
        private final String description;

        Taint(int bit, char letter, String description) {
            this.bit = bit;
            this.letter = letter;
            this.description = description;
        }

        public int bit() {
            return bit;
        }

        public char letter() {
            return letter;
        }

        public String description() {
            return description;
        }

        long value() {
            return 1L << bit;
        }
    }

    private static final Taint[] TABLE = Taint.values();
    private static final long KNOWN = (1L << TABLE.length) - 1;

    public static TaintFlags of(long mask) {
        return new TaintFlags(mask);
    }

    /** Parses the text of {@code /proc/sys/kernel/tainted}: an unsigned decimal, usually with a newline. */
    public static TaintFlags parse(String procText) {
        String text = procText.strip();
        try {
            return new TaintFlags(Long.parseUnsignedLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel taint value: '" + text + "'");
        }
    }

    public boolean isTainted() {
        return mask != 0;
    }

    public boolean has(Taint taint) {
        return (mask & taint.value()) != 0;
    }

    /** K: a live patch has been loaded since boot (it stays set after the patch is removed). */
    public boolean isLivePatched() {
        return has(Taint.LIVEPATCH);
    }

    public Set<Taint> flags() {
        Set<Taint> set = EnumSet.noneOf(Taint.class);
        for (Taint taint : TABLE) {
            if (has(taint)) {
                set.add(taint);
            }
        }
        return set;
    }

    /** Bit numbers set in the mask that this table has no letter for. */
    public List<Integer> unknownBits() {
        List<Integer> bits = new ArrayList<>();
        long unknown = mask & ~KNOWN;
        while (unknown != 0) {
            int bit = Long.numberOfTrailingZeros(unknown);
            bits.add(bit);
            unknown &= unknown - 1;
        }
        return bits;
    }

    /**
     * The set flags as letters in bit order, the way tools such as {@code kernel-chktaint} show them:
     * "G" or "P" first whenever anything is tainted, then one letter per other set bit, e.g. "GOEK".
     * Empty when not tainted.
     */
    public String letters() {
        if (mask == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append(has(Taint.PROPRIETARY_MODULE) ? 'P' : 'G');
        for (Taint taint : TABLE) {
            if (taint != Taint.PROPRIETARY_MODULE && has(taint)) {
                out.append(taint.letter());
            }
        }
        return out.toString();
    }

    /**
     * What an oops line of Linux 6.1 shows: "Not tainted", or "Tainted: " and one position per flag of bits
     * 0-18, its letter if set and a blank (G for bit 0) if not. J (bit 19, since 6.15) gets a position only
     * when set, so a 6.1 mask always prints exactly as 6.1 prints it.
     */
    public String kernelString() {
        if (mask == 0) {
            return "Not tainted";
        }
        StringBuilder out = new StringBuilder("Tainted: ");
        for (Taint taint : TABLE) {
            if (taint == Taint.FWCTL && !has(taint)) {
                continue;
            }
            out.append(has(taint) ? taint.letter() : taint == Taint.PROPRIETARY_MODULE ? 'G' : ' ');
        }
        return out.toString();
    }

    /** One line per set bit, known ones as "K: kernel has been live patched", others as "bit 25: unknown taint". */
    public List<String> descriptions() {
        List<String> lines = new ArrayList<>();
        for (Taint taint : flags()) {
            lines.add(taint.letter() + ": " + taint.description());
        }
        for (int bit : unknownBits()) {
            lines.add("bit " + bit + ": unknown taint (value " + Long.toUnsignedString(1L << bit) + ")");
        }
        return List.copyOf(lines);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(mask) + (mask == 0 ? "" : " (" + letters() + ")");
    }
}
