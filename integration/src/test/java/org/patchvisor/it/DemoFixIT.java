package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's fix demo, run as a user runs it (examples/demo-fix.sh), so it cannot rot: a VM on the Debian kernel
 * gives its symbol map, {@code build --fix} turns the sethostname fix into a live patch and refuses a fix that
 * changes data, and the built patch is applied in the VM's running kernel, seen working, and removed. The source
 * cache is the one {@link CheckFixIT} and {@link FixBuildIT} use, so the lane prepares Debian's tree once.
 */
class DemoFixIT {

    @Test
    void aFixBecomesALivePatchInTheRunningKernel() throws Exception {
        Components components = Components.onThisMachine();
        components.requireVmLane(components.defaultRelease());
        components.requireKernelSource();
        String cache = HostScripts.targetDir("check-fix-it").resolve("source-cache").toString();
        DemoScript.Run demo = DemoScript.run("examples/demo-fix.sh", "demo-fix-it", 15,
                Map.of("PATCHVISOR_SOURCE_CACHE", cache));
        String out = demo.output();
        assertTrue(demo.finished(), "the demo did not finish within 15 minutes: " + out);
        assertEquals(0, demo.exit(), out);
        assertEquals(2, out.lines().filter(l -> l.contains("demo-fix-inside.sh finished with exit code 0")).count(),
                "both boots ran their half: " + out);
        assertTrue(out.contains("refused: EINVAL"), "the fix is live in the VM's kernel: " + out);
        assertTrue(out.contains("demo-fix: the fix was live and is gone again"), out);
        assertTrue(out.contains("sysctl_drop_caches") && out.contains("(exit code 17)"), "refused: " + out);
    }
}
