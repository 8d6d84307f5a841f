package org.patchvisor.detect;

import java.io.IOException;
import java.util.Optional;

/**
 * The CPUID instruction as a seam: production reads the Linux cpuid driver, tests hand in register values.
 * Only leaf 1 (the hypervisor-present bit) and leaf 0x40000000 (the hypervisor vendor) are used.
 */
public interface Cpuid {

    long FEATURES_LEAF = 1L;
    long HYPERVISOR_LEAF = 0x40000000L;

    /** Where the values come from, for evidence ("/dev/cpu/0/cpuid"). */
    String source();

    /** Why CPUID cannot be read here, or empty when it can. */
    Optional<String> unavailableReason();

    CpuidRegisters leaf(long leaf) throws IOException;

    /** A CPUID that is never available, e.g. when examining a fixture tree or a non-x86 machine. */
    static Cpuid none(String reason) {
        return new Cpuid() {
            @Override
            public String source() {
                return "cpuid";
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.of(reason);
            }

            @Override
            public CpuidRegisters leaf(long leaf) throws IOException {
                throw new IOException("CPUID is unavailable: " + reason);
            }
        };
    }
}
