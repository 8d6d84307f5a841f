package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.patchvisor.cve.CveTarget;
import org.junit.jupiter.api.Test;

/** The per-target figures come from what is in force on the target, revoked patches included. */
class RunMetricsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static CveTarget target(String name, boolean guest, List<CveTarget.PatchInForce> patches) {
        return new CveTarget(name, "id-" + name, guest, true, true, "6.1.0-28-amd64", "", "", "", "6.1.0-28-amd64",
                patches, List.of(), null, null, "");
    }

    @Test
    void aRevokedPatchStillInForceIsCountedForItsTarget() {
        RunMetrics figures = new RunMetrics("guests");
        figures.cves(target("host", false, List.of(
                new CveTarget.PatchInForce("lp_good", "b1", 1, List.of("CVE-2024-1"), NOW, false))));
        figures.cves(target("web1", true, List.of(
                new CveTarget.PatchInForce("lp_good", "b1", 1, List.of("CVE-2024-1"), NOW, false),
                new CveTarget.PatchInForce("lp_bad", "b2", 2, List.of(), NOW, true))));
        String text = figures.metrics(NOW).render();
        assertTrue(text.contains("patchvisor_revoked_patches_in_use{run=\"guests\",target=\"host\"} 0"), text);
        assertTrue(text.contains("patchvisor_revoked_patches_in_use{run=\"guests\",target=\"web1\"} 1"), text);
    }
}
