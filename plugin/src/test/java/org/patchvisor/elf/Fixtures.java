package org.patchvisor.elf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the committed ELF fixtures (see src/test/resources/elf/README.md). */
final class Fixtures {
    static final String LIVEPATCH = "livepatch_sample.ko";
    static final String SIGNED = "xt_pkttype.ko";
    static final String NOTES = "sys-kernel-notes.bin";

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/elf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture /elf/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
