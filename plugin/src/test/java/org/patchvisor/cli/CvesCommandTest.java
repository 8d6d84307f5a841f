package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.fleet.SampleFeed;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.time.Ticker;
import picocli.CommandLine;

/**
 * {@code cves} and {@code vex} for the host through the real CLI: a bundle carrying two CVEs published with the real
 * publisher and applied by {@code upgrade} into a fake sysfs; what is fixed, what the feed still offers, the answers
 * to {@code --cve}, the same answers with the feed gone, and a VEX document the CycloneDX library's own schema
 * validator accepts and that is the same for the same state.
 */
class CvesCommandTest {
    @TempDir
    Path tmp;
    FakeRoot host;
    UpgradeCommandTest.LoadingSyscalls syscalls;
    Path repo;
    Path config;
    Path state;
    SigningKey key;

    @BeforeEach
    void publishAndApply() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        syscalls = new UpgradeCommandTest.LoadingSyscalls(host);
        repo = tmp.resolve("repo");
        PublisherRepository publisher = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        publisher.init();
        publisher.add(UpgradeCommandTest.SAMPLE, new BundleSpec(List.of(), List.of("CVE-2024-1086", "CVE-2024-26581"),
                Optional.empty(), Optional.of("6.1.0-57-amd64"), List.of(), 1, List.of()));
        key = SigningKey.generate();
        publisher.sign(key, Duration.ofDays(3));
        state = tmp.resolve("state");
        config = tmp.resolve("patchvisor.conf");
        Files.writeString(config, "repository = " + repo + "\ntrusted-key = " + Ed25519Keys.base64(key.publicKey())
                + "\nstate-dir = " + state + "\n");
    }

    private FakeRoot.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = PatchvisorCli.commandLine(new HostContext(host.root, () -> syscalls, Ticker.SYSTEM, Map.of()));
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return new FakeRoot.Run(cmd.execute(args), out.toString(), err.toString());
    }

    @Test
    void beforeTheUpgradeBothCvesAreAvailableAndAfterItBothAreFixed() throws Exception {
        FakeRoot.Run before = run("cves", "--config", config.toString());
        assertEquals(CvesCommand.NOT_ALL_FIXED, before.exit(), before.err());
        assertTrue(before.out().contains("  fixed: none") && before.out().contains("available: CVE-2024-1086 in "
                + "livepatch_sample-"), before.out());
        assertEquals(ExitCodes.OK, run("upgrade", "--config", config.toString()).exit());

        FakeRoot.Run after = run("cves", "--config", config.toString(), "--json");
        assertEquals(CvesCommand.ALL_FIXED, after.exit(), after.out() + after.err());
        JsonNode target = new ObjectMapper().readTree(after.out()).at("/targets/0");
        assertEquals("[\"CVE-2024-1086\",\"CVE-2024-26581\"]", target.get("fixed").toString());
        assertEquals("6.1.0-57-amd64", target.at("/target/effectiveVersion").asText());
        assertEquals("livepatch_sample", target.at("/target/patches/0/patch").asText());

        FakeRoot.Run answers = run("cves", "--config", config.toString(), "--cve", "CVE-2024-1086", "--cve",
                "CVE-2099-0001");
        assertEquals(CvesCommand.NOT_ALL_FIXED, answers.exit());
        assertEquals("host CVE-2024-1086 fixed\nhost CVE-2099-0001 not-covered\n", answers.out());
        assertEquals(CvesCommand.ALL_FIXED, run("cves", "--config", config.toString(), "--cve", "CVE-2024-1086").exit());
        assertEquals(ExitCodes.USAGE, run("cves", "--cve", "not-a-cve").exit());
    }

    @Test
    void theUpgradesMetricsSayWhatIsFixedAndWhatIsPending() throws Exception {
        Path metrics = tmp.resolve("node.prom");
        assertEquals(ExitCodes.OK, run("upgrade", "--config", config.toString(), "--metrics-file",
                metrics.toString()).exit());
        String written = Files.readString(tmp.resolve("node-upgrade.prom"));
        assertTrue(written.contains("patchvisor_cve_fixed{run=\"upgrade\",target=\"host\",cve=\"CVE-2024-1086\"} 1"),
                written);
        assertTrue(written.contains("patchvisor_cve_fixed{run=\"upgrade\",target=\"host\",cve=\"CVE-2024-26581\"} 1"),
                written);
        assertTrue(written.contains("patchvisor_cves_pending{run=\"upgrade\",target=\"host\"} 0"), written);
        assertTrue(written.contains("patchvisor_revoked_patches_in_use{run=\"upgrade\",target=\"host\"} 0"), written);
        assertTrue(written.matches("(?s).*patchvisor_feed_expiry_timestamp_seconds\\{run=\"upgrade\"} [0-9]+\n.*"),
                written);
    }

    @Test
    void whatIsFixedIsKnownWithoutTheFeedAndWhatIsNotFixedIsUnknown() throws Exception {
        assertEquals(ExitCodes.OK, run("upgrade", "--config", config.toString()).exit());
        deleteTree(repo);
        FakeRoot.Run offline = run("cves", "--config", config.toString(), "--cve", "CVE-2024-26581");
        assertEquals(CvesCommand.ALL_FIXED, offline.exit(), offline.out() + offline.err());
        assertTrue(offline.out().startsWith("note: the feed could not be read"), offline.out());
        FakeRoot.Run other = run("cves", "--config", config.toString(), "--cve", "CVE-2099-0001");
        assertTrue(other.out().contains("host CVE-2099-0001 unknown"), "not 'not covered': the feed was not read: "
                + other.out());
        assertEquals(CvesCommand.NOT_ALL_FIXED, run("cves", "--config", config.toString()).exit(),
                "nothing can be said to be clean without the feed");
    }

    @Test
    void aCumulativeLevelCoversTheLowerLevelsCvesAndARecordFromBeforeIsMatchedByItsFile() throws Exception {
        PublisherRepository publisher = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        publisher.add(renamed("livepatch_sampl2"), new BundleSpec(List.of(), List.of("CVE-2025-0001"),
                Optional.empty(), Optional.empty(), List.of(), 2, List.of()));
        publisher.sign(key, Duration.ofDays(3));
        assertEquals(ExitCodes.OK, run("upgrade", "--config", config.toString()).exit());
        assertEquals("finit_module livepatch_sampl2\n", syscalls.calls.toString(), "level 2 alone");
        FakeRoot.Run answers = run("cves", "--config", config.toString(), "--cve", "CVE-2024-1086", "--cve",
                "CVE-2025-0001");
        assertEquals("host CVE-2024-1086 fixed\nhost CVE-2025-0001 fixed\n", answers.out(),
                "level 2 carries level 1's fixes");
        assertEquals(CvesCommand.ALL_FIXED, run("cves", "--config", config.toString()).exit(), "nothing pending");

        // A record an earlier patchvisor wrote has no bundle in it: the feed's bundle of the same file answers.
        Path record;
        try (var files = Files.walk(state.resolve("kernels"))) {
            record = files.filter(f -> f.getFileName().toString().equals("installed.json")).findFirst().orElseThrow();
        }
        String json = Files.readString(record);
        Files.writeString(record, json.replaceAll("(?s),\\s*\"origin\"\\s*:\\s*\\{[^}]*\\}", ""));
        assertTrue(!Files.readString(record).contains("origin"), Files.readString(record));
        assertEquals("host CVE-2025-0001 fixed\n", run("cves", "--config", config.toString(), "--cve",
                "CVE-2025-0001").out());
    }

    @Test
    void aRevokedPatchFixesNothing() throws Exception {
        assertEquals(ExitCodes.OK, run("upgrade", "--config", config.toString()).exit());
        PublisherRepository publisher = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        publisher.revoke("livepatch_sample", "wrong fix");
        publisher.sign(key, Duration.ofDays(3));
        FakeRoot.Run cves = run("cves", "--config", config.toString());
        assertTrue(cves.out().contains("(revoked by the feed: it fixes nothing)") && cves.out().contains("fixed: none"),
                cves.out());
    }

    private Path renamed(String name) throws Exception {
        return SampleFeed.renamedSample(tmp, name);
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
