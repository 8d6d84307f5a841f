package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.fleet.FakeHypervisor;
import org.patchvisor.fleet.SampleFeed;
import org.patchvisor.state.GuestRecord;
import org.patchvisor.state.GuestRecordStore;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.metrics.MetricsFile;
import org.patchvisor.state.RunLock;

/**
 * {@code upgrade --guests} and {@code worker} end to end through the real CLI, over a fake hypervisor adapter handed
 * in through the CLI's provider supplier and a feed published with the real publisher: what each prints, what it
 * does to the guests and the spool, and its exit code. Until now only the VM tests covered these.
 */
class GuestFleetCommandsTest {
    private static final String LOADED = "/sys/kernel/livepatch/" + SampleFeed.PATCH + "/enabled";

    @TempDir
    Path tmp;
    FakeRoot host;
    FakeHypervisor kvm;
    FakeGuest web1;
    SampleFeed feed;
    Path spool;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        kvm = new FakeHypervisor("kvm", false);
        web1 = kvm.patchable("web1");
        kvm.guest("silent");
        host.adapters = FakeHypervisor.providers(kvm);
        feed = new SampleFeed(tmp.resolve("feed"));
        spool = Files.createDirectories(tmp.resolve("spool"));
    }

    @AfterEach
    void everyChannelIntoAGuestWasClosed() {
        assertEquals(kvm.channelsOpened.get(), kvm.channelsClosed());
    }

    private FakeRoot.Run upgradeGuests(String... extra) {
        return host.run(Stream.concat(Stream.of("upgrade", "--guests", "--config", feed.config.toString()),
                Stream.of(extra)).toArray(String[]::new));
    }

    private FakeRoot.Run workerOnce(String... extra) {
        return host.run(Stream.concat(Stream.of("worker", "--once", "--spool", spool.toString(), "--config",
                feed.config.toString(), "--agent-wait", "1ms"), Stream.of(extra)).toArray(String[]::new));
    }

    private void queue(String file, String guest) throws Exception {
        Files.writeString(spool.resolve(file), "guest=" + guest + "\noperation=started\n");
    }

    private List<String> queued() throws Exception {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".event")).sorted().toList();
        }
    }

    @Test
    void upgradeGuestsPatchesEveryReachableGuestAndSaysWhichItCouldNotReach() {
        FakeRoot.Run run = upgradeGuests();

        assertEquals(ExitCodes.GUEST_UNREACHABLE, run.exit(), run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("web1 +6\\.1\\.0-56-amd64 +applied +.*")), run.out());
        assertTrue(run.out().contains("canary wave 1 (canary, 1 guest(s)): web1\n"), "the plan first: " + run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("silent +- +unreachable +cannot identify its kernel: "
                + "silent has no QEMU guest agent channel")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("2 guest\\(s\\): 1 applied, 1 unreachable in .*")),
                run.out());
        assertTrue(web1.files.containsKey(LOADED), "the sample patch is loaded in web1");
        assertEquals(List.of(), web1.files.keySet().stream().filter(f -> f.startsWith("/run/patchvisor/")).toList(),
                "nothing is left behind in the guest");
        assertTrue(web1.closes.get() >= 2, "identified, then patched, each through a channel closed again");
    }

    @Test
    void whatEachGuestCarriesIsRecordedOnTheHostWithItsBundlesCves() throws Exception {
        upgradeGuests();
        Map<String, GuestRecord> records = new GuestRecordStore(feed.stateDir).all();
        assertEquals(1, records.size(), "the silent guest was never seen: " + records);
        GuestRecord web = records.values().iterator().next();
        assertEquals("web1", web.name());
        assertEquals("6.1.0-56-amd64", web.kernel());
        assertTrue(web.lastPatched() != null && web.lastSeen() != null, web.toString());
        assertEquals(List.of(SampleFeed.PATCH), web.patches().stream().map(GuestRecord.Patch::patch).toList());
        assertEquals(List.of("CVE-2024-1086"), web.patches().get(0).cves());
        assertEquals("6.1.0-57-amd64", web.patches().get(0).effectiveVersion());

        FakeRoot.Run dry = upgradeGuests("--dry-run");
        assertEquals(records, new GuestRecordStore(feed.stateDir).all(), "a dry run records nothing: " + dry.out());

        Path metrics = tmp.resolve("node.prom");
        upgradeGuests("--metrics-file", metrics.toString());
        String written = Files.readString(tmp.resolve("node-guests.prom"));
        assertTrue(written.contains("patchvisor_cve_fixed{run=\"guests\",target=\"web1\",cve=\"CVE-2024-1086\"} 1"),
                written);
        assertTrue(written.contains("patchvisor_cves_pending{run=\"guests\",target=\"web1\"} 0"), written);
        assertTrue(written.contains("patchvisor_guest_last_patched_timestamp_seconds{run=\"guests\",guest=\"web1\"} "),
                written);
    }

    @Test
    void upgradeGuestsOnlyTheSelectedGuestsAllGoodIsExitZeroAndJson() throws Exception {
        FakeRoot.Run run = upgradeGuests("--only", "web*", "--json");

        assertEquals(ExitCodes.OK, run.exit(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals(1, report.at("/totals/applied").asInt(), run.out());
        assertEquals(1, report.at("/totals/skipped").asInt(), run.out());
        for (JsonNode row : report.at("/guests")) {
            assertEquals(row.get("name").asText().equals("web1") ? "applied" : "skipped", row.get("state").asText(),
                    row.toString());
        }
        assertTrue(web1.files.containsKey(LOADED));
    }

    @Test
    void aGuestRunningARevokedPatchHasItRemovedThenGetsTheGoodOneAndTheWorkerDoesTheSame() throws Exception {
        feed.publishAndRevoke("livepatch_bad001", "leaks a page per fork");
        FakeGuest db1 = kvm.patchable("db1");
        for (FakeGuest guest : List.of(web1, db1)) {
            guest.loadPatch("livepatch_bad001", true, false);
            var applying = guest.agent;
            guest.agent = args -> {
                if (args.get(0).equals("--remove")) {
                    guest.unloadPatch(args.get(1));
                    return "{\"result\":\"removed\",\"reason\":\"" + args.get(1) + " removed\",\"ms\":1}\n";
                }
                return applying.apply(args);
            };
        }
        FakeRoot.Run run = upgradeGuests("--only", "web1");
        assertEquals(ExitCodes.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("web1 +6\\.1\\.0-56-amd64 +applied +removed revoked "
                + "livepatch_bad001 \\(leaks a page per fork\\); .*")), run.out());
        assertFalse(web1.files.keySet().stream().anyMatch(f -> f.contains("livepatch_bad001")), "removed from web1");
        assertTrue(web1.files.containsKey(LOADED), "the good patch is loaded in web1");

        queue("1.event", "db1");
        FakeRoot.Run worker = workerOnce();
        assertEquals(ExitCodes.OK, worker.exit(), worker.out() + worker.err());
        assertFalse(db1.files.keySet().stream().anyMatch(f -> f.contains("livepatch_bad001")), "removed from db1");
        assertTrue(db1.files.containsKey(LOADED), "the good patch is loaded in db1");
    }

    @Test
    void aBuildOfARevokedNameThatIsNotTheRevokedBuildStaysInTheGuest() throws Exception {
        feed.publishAndRevoke("livepatch_bad001", "leaks a page per fork");
        web1.loadPatch("livepatch_bad001", true, false);
        // The guest's kernel shows another build-id for it: someone's own rebuild, not the revoked file.
        web1.files.put("/sys/module/livepatch_bad001/notes/.note.gnu.build-id", buildIdNote("ff".repeat(20)));
        FakeRoot.Run run = upgradeGuests("--only", "web1");
        assertEquals(ExitCodes.OK, run.exit(), run.out() + run.err());
        assertTrue(web1.files.keySet().stream().anyMatch(f -> f.contains("livepatch/livepatch_bad001/")), "kept");
        assertFalse(run.out().contains("removed revoked"), run.out());
    }

    /** A GNU build-id note as /sys/module/NAME/notes/.note.gnu.build-id holds it (x86-64, little-endian). */
    private static byte[] buildIdNote(String hex) {
        byte[] id = java.util.HexFormat.of().parseHex(hex);
        java.nio.ByteBuffer note = java.nio.ByteBuffer.allocate(16 + id.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        note.putInt(4).putInt(id.length).putInt(3).put(new byte[] {'G', 'N', 'U', 0}).put(id);
        return note.array();
    }

    @Test
    void aDryRunPrintsThePlanAndTouchesNoGuest() {
        Path metrics = tmp.resolve("node.prom");
        FakeRoot.Run run = upgradeGuests("--dry-run", "--only", "web1", "--metrics-file", metrics.toString());

        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("web1"), run.out());
        assertEquals(List.of(), web1.writes, "nothing was copied into the guest");
        assertFalse(web1.files.containsKey(LOADED));
        assertFalse(Files.exists(feed.stateDir), "no serial recorded, nothing downloaded");
        assertFalse(Files.exists(MetricsFile.forJob(metrics, "guests")), "no metrics written");
    }

    @Test
    void withoutAnyAdapterThereIsNothingToUpgrade() {
        host.adapters = FakeHypervisor.providers();
        FakeRoot.Run run = upgradeGuests();
        assertEquals(ExitCodes.NOT_FOUND, run.exit(), run.err());
        assertEquals("patchvisor upgrade: no guests to upgrade (no hypervisor adapter is installed)\n", run.err());
    }

    @Test
    void workerOncePatchesTheQueuedGuestsDropsTheirEventsAndKeepsTheSilentOne() throws Exception {
        queue("1.1.event", "web1");
        queue("2.1.event", "web1");
        queue("3.1.event", "silent");

        FakeRoot.Run run = workerOnce();

        assertEquals(ExitCodes.GUEST_UNREACHABLE, run.exit(), run.err());
        assertTrue(run.err().contains("patchvisor worker: guest web1: applied [2 event(s)]"), run.err());
        assertTrue(run.err().contains("patchvisor worker: guest silent: unreachable (kept for retry) [1 event(s)]: "
                + "silent has no QEMU guest agent channel (waited 0 s)"), run.err());
        assertTrue(web1.files.containsKey(LOADED), "the sample patch is loaded in web1");
        assertEquals(List.of("3.1.event"), queued(), "only the silent guest's event is left");
        assertTrue(web1.closes.get() >= 3, "waited for, identified and patched, each through a channel closed again");
    }

    @Test
    void workerOnceWithEveryGuestDoneIsExitZeroAndWritesItsMetrics() throws Exception {
        queue("1.1.event", "web1");
        Path metrics = tmp.resolve("node.prom");

        FakeRoot.Run run = workerOnce("--metrics-file", metrics.toString());

        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertEquals(List.of(), queued());
        String written = Files.readString(MetricsFile.forJob(metrics, "worker"));
        assertTrue(written.contains("patchvisor_patches_applied{run=\"worker\",target=\"web1\"} 1"), written);
        assertTrue(written.contains("patchvisor_last_success_timestamp_seconds{run=\"worker\"}"), written);
    }

    @Test
    void aSecondWorkerOnTheSpoolIsRefused() throws Exception {
        queue("1.1.event", "web1");
        try (RunLock other = RunLock.acquire(spool, "worker", Duration.ZERO)) {
            FakeRoot.Run run = workerOnce();
            assertEquals(ExitCodes.LOCKED, run.exit(), run.err());
            assertTrue(run.err().contains("another worker drains " + spool), run.err());
        }
        assertEquals(List.of("1.1.event"), queued());
        assertFalse(web1.files.containsKey(LOADED));
    }
}
