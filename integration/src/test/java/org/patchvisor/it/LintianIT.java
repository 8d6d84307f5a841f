package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Debian's own checks on the package the build makes: lintian reports no error and no warning. A tag that is right
 * as it is goes into the package's override file with its reason (integration/src/deb/lintian-overrides), never
 * into a filter here. DebPackageIT runs systemd-analyze on the units, which needs the package installed.
 */
class LintianIT {
    private static final Path DEB = HostScripts.projectRoot().resolve("integration/target/patchvisor.deb");

    @Test
    void packageHasNoLintianErrorsOrWarnings() throws Exception {
        Components.onThisMachine().requireLintian();
        assertTrue(Files.isRegularFile(DEB), DEB + " is built by the package phase");

        // --info explains each tag in the failure message.
        DebPackageIT.Run lintian = DebPackageIT.run("lintian", "--info", DEB.toString());
        List<String> findings = lintian.out().lines().filter(l -> l.startsWith("E: ") || l.startsWith("W: ")).toList();
        assertEquals(List.of(), findings, "lintian " + DEB + ":\n" + lintian.out());
        assertEquals(0, lintian.exit(), "lintian " + DEB + ":\n" + lintian.out());
    }
}
