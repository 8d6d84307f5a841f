package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The libvirt lane: the real libvirtd, four transient TCG guests (two on the generic Debian kernel, one on the
 * cloud kernel, each with the real qemu-ga; one with no agent channel at all) and the real CLI,
 * {@code bin/patchvisor}, run on this host against {@code qemu:///system}. Only the guests' kernels are patched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtGuestsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARK = "patchvisor: live patch pv_cmdline active";

    private static String generic;
    private static String cloud;
    private static String prefix;
    private static Map<String, String> releaseOf;
    private static Path patchesGeneric;
    private static Path patchesCloud;
    private static LibvirtGuests guests;
    private static String gen1;
    private static String gen2;
    private static String cloud1;
    private static String noAgent;
    private static String locked;

    @BeforeAll
    static void bootGuests() throws Exception {
        long start = System.nanoTime();
        LibvirtGuests.Lane lane = LibvirtGuests.prepareLane();
        generic = lane.generic();
        cloud = lane.cloud();
        Path initGeneric = lane.initGeneric();
        Path initCloud = lane.initCloud();

        prefix = "pvit" + ProcessHandle.current().pid() + "-";
        gen1 = prefix + "gen1";
        gen2 = prefix + "gen2";
        cloud1 = prefix + "cloud1";
        noAgent = prefix + "noagent";
        locked = prefix + "locked";
        releaseOf = Map.of(gen1, generic, gen2, generic, cloud1, cloud, locked, generic);
        guests = new LibvirtGuests(Files.createTempDirectory(HostScripts.targetDir("libvirt"), prefix));
        guests.start(gen1, generic, initGeneric, true);
        guests.start(gen2, generic, initGeneric, true);
        guests.start(cloud1, cloud, initCloud, true);
        guests.start(noAgent, null, null, false);
        // The kernel's lockdown LSM in integrity mode refuses unsigned modules (EPERM): the preflight must see it.
        guests.start(locked, generic, initGeneric, true, "lockdown=integrity");
        // Build the modules while the guests boot.
        patchesGeneric = HostScripts.samplePatches(generic);
        patchesCloud = HostScripts.samplePatches(cloud);
        guests.awaitAgents(List.of(gen1, gen2, cloud1, locked), 240);
        System.out.printf("libvirt lane: 5 guests booted and agents answering in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @AfterAll
    static void destroyGuests() {
        if (guests != null) {
            guests.close();
        }
    }

    private static Path module(String guest, String name) {
        return (cloud.equals(releaseOf.get(guest)) ? patchesCloud : patchesGeneric).resolve(name + ".ko");
    }

    @Test
    @Order(1)
    void guestsListsEveryGuestWithItsKernel() throws Exception {
        HostCli.Result run = HostCli.run(60, "guests", "-c", LibvirtGuests.URI, "--json");
        assertEquals(0, run.exit(), run.err());
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        JSON.readTree(run.out()).forEach(g -> byName.put(g.path("name").asText(), g));
        for (String g : List.of(gen1, gen2, cloud1)) {
            JsonNode guest = byName.get(g);
            assertEquals("running", guest.path("state").asText(), run.out());
            assertEquals("yes", guest.path("agent").asText(), run.out());
            assertEquals(releaseOf.get(g), guest.at("/kernel/release").asText(), run.out());
            assertTrue(guest.at("/kernel/buildId").asText().matches("[0-9a-f]{40}"), run.out());
        }
        assertEquals("no", byName.get(noAgent).path("agent").asText(), run.out());
        assertTrue(byName.get(noAgent).path("note").asText().contains("no QEMU guest agent channel"), run.out());
        // Two kernel builds, two build-ids.
        assertFalse(byName.get(gen1).at("/kernel/buildId").equals(byName.get(cloud1).at("/kernel/buildId")));
    }

    @Test
    @Order(2)
    void pvCmdlineIsAppliedToEveryGuestAndSeenFromInside() throws Exception {
        long start = System.nanoTime();
        Map<String, CompletableFuture<HostCli.Result>> runs = new LinkedHashMap<>();
        for (String g : List.of(gen1, gen2, cloud1)) {
            runs.put(g, CompletableFuture.supplyAsync(() -> HostCli.runUnchecked(180, "apply",
                    module(g, "pv_cmdline").toString(), "--guest", g, "-c", LibvirtGuests.URI, "--json")));
        }
        for (Map.Entry<String, CompletableFuture<HostCli.Result>> e : runs.entrySet()) {
            HostCli.Result run = e.getValue().get(200, TimeUnit.SECONDS);
            assertEquals(0, run.exit(), e.getKey() + ": " + run.err() + run.out());
            assertEquals("applied", JSON.readTree(run.out()).path("result").asText(), run.out());
            assertEquals(MARK + "\n", guests.exec(e.getKey(), "cat", "/proc/cmdline"), e.getKey());
        }
        System.out.printf("libvirt lane: pv_cmdline applied to 3 guests concurrently in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Test
    @Order(3)
    void guestWithoutAgentChannelIsUnreachable() throws Exception {
        HostCli.Result run = HostCli.run(60, "apply", module(gen1, "pv_version").toString(), "--guest", noAgent);
        assertEquals(13, run.exit(), run.err());
        assertTrue(run.err().contains("unreachable: " + noAgent + " has no QEMU guest agent channel"), run.err());
    }

    @Test
    @Order(4)
    void anUnsignedModuleIsRefusedUpFrontInALockedDownGuest() throws Exception {
        assertTrue(guests.exec(locked, "cat", "/sys/kernel/security/lockdown").contains("[integrity]"),
                "the guest really is locked down");
        HostCli.Result run = HostCli.run(60, "apply", module(locked, "pv_version").toString(), "--guest", locked);
        assertEquals(5, run.exit(), run.err());
        assertTrue(run.err().contains("pv_version.ko is unsigned and the guest's kernel is in lockdown (integrity mode)"),
                run.err());
        assertEquals("", guests.exec(locked, "/bin/sh", "-c", "ls /run/patchvisor 2>/dev/null; true"),
                "neither the agent nor the module was copied in");
        assertEquals("", guests.exec(locked, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_version"));
    }

    @Test
    @Order(4)
    void wrongKernelModuleIsRefusedAndNeverLoaded() throws Exception {
        HostCli.Result run = HostCli.run(60, "apply", patchesCloud.resolve("pv_version.ko").toString(), "--guest", gen2);
        assertEquals(5, run.exit(), run.err());
        assertTrue(run.err().contains("built for kernel " + cloud + ", but the guest's kernel is " + generic), run.err());
        assertEquals("", guests.exec(gen2, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_version"));
    }

    @Test
    @Order(5)
    void stuckTransitionIsReversedAndTheGuestKernelUnchanged() throws Exception {
        String before = guests.exec(gen2, "ls", "/sys/kernel/livepatch");
        long start = System.nanoTime();
        HostCli.Result run = HostCli.run(180, "apply", module(gen2, "pv_stuck").toString(), "--guest", gen2, "--timeout", "5s",
                "--json");
        assertEquals(12, run.exit(), run.err() + run.out());
        JsonNode result = JSON.readTree(run.out());
        assertEquals("failed-reverted", result.path("result").asText(), run.out());
        assertTrue(result.path("reason").asText().contains("reversed and unloaded"), run.out());
        assertEquals(before, guests.exec(gen2, "ls", "/sys/kernel/livepatch"));
        assertEquals("", guests.exec(gen2, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_stuck"));
        assertEquals(MARK + "\n", guests.exec(gen2, "cat", "/proc/cmdline"));
        System.out.printf("libvirt lane: pv_stuck timed out and reverted in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Test
    @Order(6)
    void agentKilledMidTransferFailsClearlyAndLeavesTheGuestUnchanged() throws Exception {
        // A 16 MiB module (pv_version padded at its end) takes seconds to copy; qemu-ga is killed in the middle.
        byte[] ko = Files.readAllBytes(module(gen1, "pv_version"));
        byte[] big = new byte[16 * 1024 * 1024];
        System.arraycopy(ko, 0, big, 0, ko.length);
        Path bigKo = HostScripts.targetDir("libvirt").resolve(prefix + "pv_version.ko");
        Files.write(bigKo, big);
        String before = guests.exec(gen1, "ls", "/sys/kernel/livepatch");
        // Kill the agent once the copy is under way (the module's file exists in the guest's work directory),
        // whatever time the host tool takes to start on a loaded machine.
        guests.spawn(gen1, "/bin/sh", "-c", "for i in $(seq 1 1200); do for d in /run/patchvisor /tmp; do"
                + " [ -s $d/pv_version.ko ] && sleep 0.5 && kill -9 $(pidof qemu-ga) && exit 0; done; sleep 0.05; done");
        HostCli.Result run = HostCli.run(300, "apply", bigKo.toString(), "--guest", gen1);
        assertEquals(12, run.exit(), run.err() + run.out());
        assertTrue(run.err().contains("copying pv_version into the guest failed"), run.err());
        assertTrue(run.err().contains("nothing was loaded"), run.err());
        // PID 1 of the guest restarts the agent; then the guest shows no trace of pv_version.
        guests.awaitAgents(List.of(gen1), 60);
        assertEquals(before, guests.exec(gen1, "ls", "/sys/kernel/livepatch"));
        assertEquals("", guests.exec(gen1, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_version"));
        assertEquals(MARK + "\n", guests.exec(gen1, "cat", "/proc/cmdline"));
        Files.deleteIfExists(bigKo);
    }

    @Test
    @Order(7)
    void removeAndStatusThroughTheCli() throws Exception {
        HostCli.Result remove = HostCli.run(120, "remove", "pv_cmdline", "--guest", cloud1);
        assertEquals(0, remove.exit(), remove.err());
        assertFalse(guests.exec(cloud1, "cat", "/proc/cmdline").contains(MARK));
        HostCli.Result again = HostCli.run(120, "remove", "pv_cmdline", "--guest", cloud1);
        assertEquals(9, again.exit(), again.err());
        HostCli.Result status = HostCli.run(120, "status", "--guests", "--json", "--state-dir",
                Files.createTempDirectory(HostScripts.targetDir("libvirt"), "state").toString());
        assertEquals(0, status.exit(), status.err());
        List<String> patched = new ArrayList<>();
        JSON.readTree(status.out()).path("guests").forEach(g -> {
            if (g.path("patches").size() > 0) {
                patched.add(g.path("name").asText());
            }
        });
        assertTrue(patched.containsAll(List.of(gen1, gen2)) && !patched.contains(cloud1), status.out());
    }
}
