package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's host-with-guests demo, run as a user runs it (examples/demo-guests.sh; the jar is already built by
 * this Maven run), so the demo cannot rot: three guests on two kernels, all patched in one run, each checked from
 * inside through its agent, and destroyed at the end.
 */
class DemoGuestsIT {

    @Test
    void oneRunPatchesEveryGuest() throws Exception {
        LibvirtGuests.prepareLane();
        Path log = HostScripts.targetDir("demo-guests-it").resolve("demo.log");
        ProcessBuilder demo = new ProcessBuilder("sh", HostScripts.projectRoot().resolve("examples/demo-guests.sh")
                .toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        demo.environment().put("PATCHVISOR_DEMO_BUILT", "1");
        Process p = demo.start();
        boolean finished = p.waitFor(15, TimeUnit.MINUTES);
        if (!finished) {
            // SIGTERM first: the script's trap destroys its guests; then whatever is left.
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "the demo did not finish within 15 minutes: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("3 guest(s): 3 applied in "), out);
        assertTrue(out.contains("3 guest(s): 3 already-patched in "), out);
        for (String guest : new String[] {"pvdemo-generic-1", "pvdemo-generic-2", "pvdemo-cloud-1"}) {
            assertTrue(out.contains(guest + ": /proc/cmdline = patchvisor: live patch pv_cmdline active\n"), out);
        }
        assertTrue(out.contains("downloads the feed server saw:\n2\n"), "one download per kernel: " + out);
        String left = HostScripts.run(30, "virsh", "-q", "-c", "qemu:///system", "list", "--name");
        assertTrue(left.lines().noneMatch(l -> l.startsWith("pvdemo-")), "the demo destroys its guests: " + left);
    }
}
