package org.patchvisor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text exposition format and the per-job file name. */
class MetricsTest {
    @TempDir
    Path tmp;

    @Test
    void rendersHelpTypeOnceAndEscapesLabels() throws Exception {
        Metrics m = new Metrics()
                .gauge("patchvisor_guests", "Guests by state.", 3, "job", "worker", "state", "applied")
                .gauge("patchvisor_guests", "Guests by state.", 0, "job", "worker", "state", "failed")
                .gauge("patchvisor_patches_applied", "Applied.", 1, "job", "worker", "target", "vm \"a\"\\b");
        Path file = MetricsFile.forJob(tmp.resolve("prom/patchvisor.prom"), "worker");
        MetricsFile.write(file, m);
        assertEquals(tmp.resolve("prom/patchvisor-worker.prom"), file);
        assertEquals("""
                # HELP patchvisor_guests Guests by state.
                # TYPE patchvisor_guests gauge
                patchvisor_guests{job="worker",state="applied"} 3
                patchvisor_guests{job="worker",state="failed"} 0
                # HELP patchvisor_patches_applied Applied.
                # TYPE patchvisor_patches_applied gauge
                patchvisor_patches_applied{job="worker",target="vm \\"a\\"\\\\b"} 1
                """, Files.readString(file));
    }
}
