package org.patchvisor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.kernel.KernelSupport;

class LivePatchFactsTest {

    @TempDir
    Path root;

    @Test
    void activeLockdownModeIsTheBracketedOne() {
        assertEquals("none", org.patchvisor.kernel.KernelFacts.activeLockdown("[none] integrity confidentiality"));
        assertEquals("confidentiality", org.patchvisor.kernel.KernelFacts.activeLockdown("none integrity [confidentiality]"));
    }

    @Test
    void absentFilesMeanFeaturesNotBuiltIn() throws IOException {
        KernelSupport support = LivePatchFacts.read(new HostFiles(root));

        assertEquals(new KernelSupport(false, false, Optional.empty(), 0), support);
        assertFalse(support.lockedDown());
    }

    @Test
    void nonNumericTaintIsRejectedByName() throws IOException {
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/tainted"), "K\n");

        DetectionException e = assertThrows(DetectionException.class, () -> LivePatchFacts.read(new HostFiles(root)));
        assertEquals("/proc/sys/kernel/tainted holds \"K\", not a number", e.getMessage());
    }
}
