package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code patchvisor upgrade --guests} end to end: the real CLI on this host publishes a signed feed with a bundle for
 * each of the two Debian kernels and serves it on loopback with {@code repo serve}; the real libvirtd runs four
 * transient TCG guests (two on the generic kernel, one on the cloud kernel, each with qemu-ga, and one with no agent
 * channel); {@code upgrade --guests} patches them through libvirt and the per-guest agent. Every result is checked
 * from inside the guests and every download in the server's access log. Only the guests' kernels are patched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestFleetUpgradeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CMDLINE_MARK = "patchvisor: live patch pv_cmdline active";
    private static final String VERSION_MARK = "patchvisor: live patch pv_version active";

    private static LibvirtGuests.Lane lane;
    private static LibvirtGuests guests;
    private static RepoServer server;
    private static Path work;
    private static TestFeed feed;
    private static Path config;
    private static Path patchesGeneric;
    private static Path patchesCloud;
    private static String gen1;
    private static String gen2;
    private static String cloud1;
    private static String noAgent;
    private static final Map<String, String> pristineCmdline = new HashMap<>();
    private static final Map<String, String> pristineVersion = new HashMap<>();
    private static String shaGeneric;
    private static String shaCloud;
    private static String shaVersion;

    @BeforeAll
    static void publishServeAndBoot() throws Exception {
        long start = System.nanoTime();
        lane = LibvirtGuests.prepareLane();
        String prefix = "pvfl" + ProcessHandle.current().pid() + "-";
        gen1 = prefix + "gen1";
        gen2 = prefix + "gen2";
        cloud1 = prefix + "cloud1";
        noAgent = prefix + "noagent";
        work = Files.createTempDirectory(HostScripts.targetDir("fleet-it"), prefix);
        guests = new LibvirtGuests(work);
        guests.start(gen1, lane.generic(), lane.initGeneric(), true);
        guests.start(gen2, lane.generic(), lane.initGeneric(), true);
        guests.start(cloud1, lane.cloud(), lane.initCloud(), true);
        guests.start(noAgent, null, null, false);

        // Publish while the guests boot.
        patchesGeneric = HostScripts.samplePatches(lane.generic());
        patchesCloud = HostScripts.samplePatches(lane.cloud());
        feed = TestFeed.create(work);
        shaGeneric = publish(patchesGeneric.resolve("pv_cmdline.ko"), 1);
        shaCloud = publish(patchesCloud.resolve("pv_cmdline.ko"), 1);
        feed.sign();
        server = RepoServer.start(feed.repo);
        config = work.resolve("patchvisor.conf");
        Files.writeString(config, feed.clientConfig(server.url(), work.resolve("state")));

        guests.awaitAgents(List.of(gen1, gen2, cloud1), 240);
        for (String g : List.of(gen1, gen2, cloud1)) {
            pristineCmdline.put(g, guests.exec(g, "cat", "/proc/cmdline"));
            pristineVersion.put(g, guests.exec(g, "cat", "/proc/version"));
        }
        System.out.printf("fleet lane: feed published and served, 4 guests booted in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @AfterAll
    static void tearDown() {
        if (guests != null) {
            guests.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void dryRunPrintsThePlanAndTouchesNothing() throws Exception {
        HostCli.Result run = upgrade("--dry-run");
        assertEquals(13, run.exit(), run.err() + run.out());
        String out = run.out();
        assertTrue(out.contains("plan: 4 guest(s), 2 kernel(s), 3 to patch"), out);
        assertTrue(out.contains("kernel " + lane.generic()) && out.contains("kernel " + lane.cloud()), out);
        assertTrue(out.contains("bundle pv_cmdline-" + shaGeneric.substring(0, 12)), out);
        assertTrue(out.contains("bundle pv_cmdline-" + shaCloud.substring(0, 12)), out);
        assertTrue(out.contains("canary wave 1 (canary, 1 guest(s))"), out);
        assertTrue(out.contains("not patched: " + noAgent + " unreachable"), out);
        for (String g : List.of(gen1, gen2, cloud1)) {
            assertTrue(Pattern.compile("(?m)^" + g + "\\s.*planned\\s+dry run: would apply pv_cmdline-").matcher(out)
                    .find(), out);
        }
        assertEquals(0, server.blobDownloads(), "a dry run downloads nothing: " + server.log());
        assertPristine(gen1, gen2, cloud1);
    }

    @Test
    @Order(2)
    void oneRunPatchesEveryReachableGuestWithOneDownloadPerKernel() throws Exception {
        long start = System.nanoTime();
        HostCli.Result run = upgrade("--json");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(13, run.exit(), run.err() + run.out());
        Map<String, JsonNode> rows = rows(run);
        for (String g : List.of(gen1, gen2, cloud1)) {
            assertEquals("applied", rows.get(g).path("state").asText(), run.out());
            assertEquals(CMDLINE_MARK + "\n", guests.exec(g, "cat", "/proc/cmdline"), g);
        }
        assertEquals(lane.cloud(), rows.get(cloud1).path("kernel").asText());
        assertEquals("unreachable", rows.get(noAgent).path("state").asText(), run.out());
        assertTrue(rows.get(noAgent).path("reason").asText().contains("no QEMU guest agent channel"), run.out());
        assertEquals(1, server.blobDownloads(shaGeneric), server.log().toString());
        assertEquals(1, server.blobDownloads(shaCloud), server.log().toString());
        assertEquals(2, server.blobDownloads(), server.log().toString());
        System.out.printf("fleet lane: 3 guests on 2 kernels patched by one upgrade --guests in %d ms%n", ms);
    }

    @Test
    @Order(3)
    void aSecondRunFindsEveryGuestAlreadyPatched() throws Exception {
        HostCli.Result run = upgrade("--json", "--exclude", "*noagent");
        assertEquals(0, run.exit(), run.err() + run.out());
        Map<String, JsonNode> rows = rows(run);
        for (String g : List.of(gen1, gen2, cloud1)) {
            assertEquals("already-patched", rows.get(g).path("state").asText(), run.out());
        }
        assertEquals("skipped", rows.get(noAgent).path("state").asText(), run.out());
        assertEquals("excluded by --exclude *noagent", rows.get(noAgent).path("reason").asText(), run.out());
        assertEquals(2, server.blobDownloads(), "served from the cache: " + server.log());
    }

    @Test
    @Order(4)
    void haltsAfterTheFirstFailureAndLeavesEveryGuestAsItWas() throws Exception {
        // Level 2: pv_stuck (never finishes its transition) for the cloud kernel, pv_version for the generic one.
        publish(patchesCloud.resolve("pv_stuck.ko"), 2);
        shaVersion = publish(patchesGeneric.resolve("pv_version.ko"), 2);
        feed.sign();
        long start = System.nanoTime();
        // One at a time, by name: the cloud guest goes first, fails, and halts the rest.
        HostCli.Result run = upgrade("--json", "--exclude", "*noagent", "--canary", "0", "--max-parallel", "1",
                "--max-failures", "1", "--guest-timeout", "60s");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(12, run.exit(), run.err() + run.out());
        JsonNode report = JSON.readTree(run.out());
        assertTrue(report.path("halted").asBoolean(), run.out());
        Map<String, JsonNode> rows = rows(run);
        assertEquals("failed-reverted", rows.get(cloud1).path("state").asText(), run.out());
        assertTrue(rows.get(cloud1).path("reason").asText().contains("reversed and unloaded"), run.out());
        for (String g : List.of(gen1, gen2)) {
            assertEquals("halted", rows.get(g).path("state").asText(), run.out());
            assertEquals(pristineVersion.get(g), guests.exec(g, "cat", "/proc/version"), g);
            assertEquals("pv_cmdline\n", guests.exec(g, "ls", "/sys/kernel/livepatch"), g);
        }
        assertEquals("pv_cmdline\n", guests.exec(cloud1, "ls", "/sys/kernel/livepatch"));
        assertEquals("", guests.exec(cloud1, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_stuck"));
        assertEquals(CMDLINE_MARK + "\n", guests.exec(cloud1, "cat", "/proc/cmdline"));
        System.out.printf("fleet lane: pv_stuck reverted on %s and the rollout halted in %d ms%n", cloud1, ms);
    }

    @Test
    @Order(5)
    void onlyPatchesTheNamedGuests() throws Exception {
        HostCli.Result run = upgrade("--json", "--only", gen1);
        assertEquals(0, run.exit(), run.err() + run.out());
        Map<String, JsonNode> rows = rows(run);
        assertEquals("applied", rows.get(gen1).path("state").asText(), run.out());
        for (String g : List.of(gen2, cloud1, noAgent)) {
            assertEquals("skipped", rows.get(g).path("state").asText(), run.out());
            assertEquals("not selected by --only", rows.get(g).path("reason").asText(), run.out());
        }
        assertTrue(guests.exec(gen1, "cat", "/proc/version").contains(VERSION_MARK));
        assertEquals(pristineVersion.get(gen2), guests.exec(gen2, "cat", "/proc/version"));
    }

    @Test
    @Order(6)
    void aModuleListedForTheWrongKernelIsRefusedAndNeverLoaded() throws Exception {
        // A publisher's mistake the signature cannot catch: the generic kernel's pv_version bundle edited to say it
        // is the cloud kernel's level 3, then signed.
        Path bundle = feed.repo.resolve("bundles/pv_version-" + shaVersion.substring(0, 12) + ".json");
        String json = Files.readString(bundle);
        String edited = json.replace("\"release\":\"" + lane.generic() + "\"", "\"release\":\"" + lane.cloud() + "\"")
                .replace("\"cumulativeLevel\":2", "\"cumulativeLevel\":3");
        assertFalse(edited.equals(json), json);
        Files.writeString(bundle, edited);
        feed.sign();
        HostCli.Result run = upgrade("--json", "--only", cloud1);
        assertEquals(5, run.exit(), run.err() + run.out());
        JsonNode row = rows(run).get(cloud1);
        assertEquals("refused", row.path("state").asText(), run.out());
        assertTrue(row.path("reason").asText().contains("built for kernel " + lane.generic() + ", but the guest's kernel is "
                + lane.cloud()), run.out());
        assertEquals("", guests.exec(cloud1, "find", "/sys/module", "-maxdepth", "1", "-name", "pv_version"));
        assertFalse(guests.exec(cloud1, "cat", "/proc/version").contains(VERSION_MARK));
        assertEquals("pv_cmdline\n", guests.exec(cloud1, "ls", "/sys/kernel/livepatch"));
    }

    @Test
    @Order(7)
    void aRevokedPatchLeavesTheGuestsThroughUpgradeAndTheWorker() throws Exception {
        HostCli.Result applied = HostCli.run(300, "apply", patchesGeneric.resolve("pv_version.ko").toString(),
                "--guest", gen2, "-c", LibvirtGuests.URI);
        assertEquals(0, applied.exit(), applied.err() + applied.out());
        for (String g : List.of(gen1, gen2)) {
            assertTrue(guests.exec(g, "cat", "/proc/version").contains(VERSION_MARK), g);
        }
        HostCli.ok(60, "repo", "revoke", feed.repo.toString(), "pv_version", "--reason", "breaks uname -v parsers");
        feed.sign();

        HostCli.Result run = upgrade("--json", "--only", gen1);
        assertEquals(0, run.exit(), run.err() + run.out());
        JsonNode row = rows(run).get(gen1);
        assertEquals("revoked-removed", row.path("state").asText(), run.out());
        assertTrue(row.path("reason").asText().startsWith("removed revoked pv_version (breaks uname -v parsers)"),
                run.out());
        assertEquals("pv_cmdline\n", guests.exec(gen1, "ls", "/sys/kernel/livepatch"));
        assertEquals(pristineVersion.get(gen1), guests.exec(gen1, "cat", "/proc/version"));

        Path spool = Files.createDirectories(work.resolve("revocation-spool"));
        Files.writeString(spool.resolve("1.event"), "guest=" + gen2 + "\noperation=started\n");
        HostCli.Result worker = HostCli.run(300, "worker", "--once", "--spool", spool.toString(), "-c",
                LibvirtGuests.URI, "--config", config.toString(), "--agent-wait", "30s");
        assertEquals(0, worker.exit(), worker.err() + worker.out());
        assertTrue((worker.out() + worker.err()).contains("guest " + gen2 + ": revoked-removed"),
                worker.out() + worker.err());
        assertEquals("pv_cmdline\n", guests.exec(gen2, "ls", "/sys/kernel/livepatch"));
        assertEquals(pristineVersion.get(gen2), guests.exec(gen2, "cat", "/proc/version"));
    }

    @Test
    @Order(8)
    void cvesAndVexPerGuestAndAStoppedGuestIsUnknownAsLastSeen() throws Exception {
        HostCli.Result cves = HostCli.run(300, "cves", "--guests", "-c", LibvirtGuests.URI, "--config",
                config.toString(), "--json");
        assertEquals(1, cves.exit(), "the agentless guest is not known: " + cves.out() + cves.err());
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        JSON.readTree(cves.out()).path("targets").forEach(t -> byName.put(t.at("/target/target").asText(), t));
        for (String g : List.of(gen1, gen2, cloud1)) {
            JsonNode t = byName.get(g);
            assertTrue(t.at("/target/known").asBoolean(), cves.out());
            assertEquals("[\"CVE-2024-1086\"]", t.get("fixed").toString(), g + ": " + t);
            assertEquals(guests.exec(g, "ls", "/sys/kernel/livepatch").strip(),
                    t.at("/target/patches/0/patch").asText(), "what the guest's sysfs shows: " + t);
        }
        assertFalse(byName.get(noAgent).at("/target/known").asBoolean(), cves.out());

        guests.destroy(cloud1);
        HostCli.Result after = HostCli.run(300, "cves", "--guests", "-c", LibvirtGuests.URI, "--config",
                config.toString(), "--cve", "CVE-2024-1086");
        assertEquals(1, after.exit(), after.out() + after.err());
        assertTrue(after.out().contains(gen1 + " CVE-2024-1086 fixed\n"), after.out());
        assertTrue(after.out().lines().anyMatch(l -> l.startsWith(cloud1 + " CVE-2024-1086 unknown (")
                && l.contains("as last seen")), "stopped: unknown, with when it was last seen: " + after.out());

        HostCli.Result vex = HostCli.run(300, "vex", "--guests", "-c", LibvirtGuests.URI, "--config",
                config.toString());
        assertEquals(0, vex.exit(), vex.err());
        byte[] document = vex.out().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(List.of(), new org.cyclonedx.parsers.JsonParser().validate(document,
                org.cyclonedx.Version.VERSION_16), "CycloneDX 1.6 schema");
        // Every reference is made from the guest's stable id; its name is a property of its kernel component.
        JsonNode bom = JSON.readTree(document);
        Map<String, String> kernelByName = new HashMap<>();
        bom.path("components").forEach(c -> c.path("properties").forEach(p -> {
            if (p.path("name").asText().equals("patchvisor:name")) {
                kernelByName.put(p.path("value").asText(), c.path("bom-ref").asText());
            }
        }));
        List<String> affected = new ArrayList<>();
        bom.path("vulnerabilities").forEach(v -> {
            assertEquals("CVE-2024-1086", v.path("id").asText(), v.toString());
            affected.add(v.at("/affects/0/ref").asText());
        });
        assertTrue(affected.contains(kernelByName.get(gen1)) && affected.contains(kernelByName.get(gen2)),
                affected + " " + kernelByName);
        assertFalse(kernelByName.containsKey(cloud1), "a guest not asked now is stated nothing of: " + kernelByName);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static HostCli.Result upgrade(String... options) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("upgrade", "--guests", "-c", LibvirtGuests.URI, "--config",
                config.toString()));
        argv.addAll(List.of(options));
        return HostCli.run(300, argv.toArray(String[]::new));
    }

    private static Map<String, JsonNode> rows(HostCli.Result run) throws IOException {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        JSON.readTree(run.out()).path("guests").forEach(r -> rows.put(r.path("name").asText(), r));
        assertEquals(4, rows.size(), run.out());
        return rows;
    }

    private static void assertPristine(String... names) throws IOException {
        for (String g : names) {
            assertEquals(pristineCmdline.get(g), guests.exec(g, "cat", "/proc/cmdline"), g);
            assertEquals("", guests.exec(g, "ls", "/sys/kernel/livepatch"), g);
        }
    }

    private static String publish(Path module, int level) throws IOException {
        return feed.add(module, "--cumulative-level", Integer.toString(level), "--cve", "CVE-2024-1086");
    }
}
