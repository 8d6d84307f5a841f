package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's host-with-guests demo, run as a user runs it (examples/demo-guests.sh), so the demo cannot rot:
 * three guests on two kernels, all patched in one run, each checked from inside through its agent, and destroyed
 * at the end.
 */
class DemoGuestsIT {

    @Test
    void oneRunPatchesEveryGuest() throws Exception {
        LibvirtGuests.prepareLane();
        DemoScript.Run demo = DemoScript.run("examples/demo-guests.sh", "demo-guests-it", 15, Map.of());
        String out = demo.output();
        assertTrue(demo.finished(), "the demo did not finish within 15 minutes: " + out);
        assertEquals(0, demo.exit(), out);
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
