package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.fleet.SampleFeed;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.feed.IndexSignature;
import org.patchvisor.feed.SignatureFile;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.io.Sha256;
import org.patchvisor.kernel.LocalKernel;
import org.patchvisor.kernel.ModuleSyscalls;
import org.patchvisor.model.KernelId;
import org.patchvisor.state.Journal;
import org.patchvisor.state.Operation;
import org.patchvisor.time.Ticker;
import org.patchvisor.model.ModuleInfo;
import picocli.CommandLine;

/**
 * {@code upgrade} through the real CLI: a repository published with the real publisher (the sample live-patch
 * module plus a bundle for another kernel), a fake /proc and /sys, and module syscalls that register the patch in
 * that fake sysfs the way the kernel would. Asserts exit codes, the recorded effective version, the download
 * cache, and that every refusal leaves no record and makes no syscall.
 */
class UpgradeCommandTest {
    static final Path SAMPLE = Path.of("src/test/resources/elf/livepatch_sample.ko").toAbsolutePath();

    @TempDir
    Path tmp;
    FakeRoot host;
    LoadingSyscalls syscalls;
    Path repo;
    Path config;
    Path state;
    SigningKey key;
    PublisherRepository publisher;

    @BeforeEach
    void publish() throws IOException {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        syscalls = new LoadingSyscalls(host);
        repo = tmp.resolve("repo");
        publisher = new PublisherRepository(repo, module -> module.getFileName().toString().startsWith("cloud")
                ? new ModuleInfo("livepatch_sample", "6.1.0-56-cloud-amd64 SMP", true, Optional.empty(),
                        Optional.empty(), List.of(), false)
                : ModuleFiles.read(module), Clock.systemUTC());
        publisher.init();
        publisher.add(SAMPLE, new BundleSpec(List.of(), List.of("CVE-2024-1086"), Optional.empty(),
                Optional.of("6.1.0-57-amd64"), List.of(), 1, List.of()));
        Path cloud = tmp.resolve("cloud_sample.ko");
        Files.write(cloud, new byte[] {1, 2, 3, 4});
        publisher.add(cloud, new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.of("6.1.0-57-cloud-amd64"),
                List.of(), 5, List.of()));
        key = SigningKey.generate();
        publisher.sign(key, Duration.ofDays(3));
        state = tmp.resolve("state");
        config = tmp.resolve("patchvisor.conf");
        writeConfig(repo.toString(), key, state);
    }

    private void writeConfig(String repository, SigningKey trusted, Path stateDir) throws IOException {
        Files.writeString(config, "repository = " + repository + "\ntrusted-key = "
                + Ed25519Keys.base64(trusted.publicKey()) + "\nstate-dir = " + stateDir + "\n");
    }

    private FakeRoot.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = PatchvisorCli.commandLine(new HostContext(host.root, () -> syscalls, Ticker.SYSTEM, Map.of()));
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new FakeRoot.Run(code, out.toString(), err.toString());
    }

    private FakeRoot.Run upgrade(String... extra) {
        return run(Stream.concat(Stream.of("upgrade", "--config", config.toString()), Stream.of(extra))
                .toArray(String[]::new));
    }

    @Test
    void appliesTheBundleForThisKernelAndRecordsItsEffectiveVersion() throws Exception {
        FakeRoot.Run run = upgrade("--json");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("applied", json.get("result").asText());
        assertEquals("6.1.0-57-amd64", json.get("effectiveVersion").asText());
        assertEquals("livepatch_sample", json.at("/bundle/module").asText());
        assertEquals("6.1.0-56-amd64", json.at("/bundle/kernels/0/release").asText(), "not the cloud bundle");
        assertEquals("finit_module livepatch_sample\n", syscalls.calls.toString());
        assertEquals(json.at("/bundle/sha256").asText(), onlyCached());
        assertEquals("6.1.0-57-amd64\n", run("uname", "-r", "--state-dir", state.toString()).out());
        assertTrue(recorded(state).contains("\"effectiveVersion\" : \"6.1.0-57-amd64\""), recorded(state));
        assertTrue(recorded(state).contains(repo.toString()), "source names the repository: " + recorded(state));
        assertTrue(recorded(state).contains("\"cves\" : [ \"CVE-2024-1086\" ]") && recorded(state).contains("\"feed\" : \"feed-"),
                "the bundle's CVEs and feed are kept with the record: " + recorded(state));

        FakeRoot.Run again = upgrade();
        assertEquals(ExitCodes.OK, again.exit(), again.err());
        assertTrue(again.out().startsWith("kernel 6.1.0-56-amd64") && again.out().contains("is up to date"), again.out());
        assertEquals("finit_module livepatch_sample\n", syscalls.calls.toString(), "nothing loaded twice");
    }

    @Test
    void whatARunStoppedHalfWayLeftIsSettledFirstAndSaidAtOnce() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        // A run stopped after the kernel took its patch but before it closed its journal entry.
        KernelId id = new LocalKernel(host.root, () -> syscalls).identify();
        new Journal(state).begin(Operation.APPLY, "livepatch_sample", id, Sha256.of(SAMPLE));

        FakeRoot.Run text = upgrade();
        assertEquals(ExitCodes.OK, text.exit(), text.err());
        assertTrue(text.err().startsWith("patchvisor upgrade: note: settled an interrupted apply of livepatch_sample"),
                text.err());
        assertTrue(text.out().contains("is up to date"), text.out());
        assertTrue(new Journal(state).pending().isEmpty());

        new Journal(state).begin(Operation.APPLY, "livepatch_sample", id, Sha256.of(SAMPLE));
        FakeRoot.Run json = upgrade("--json");
        assertEquals(ExitCodes.OK, json.exit(), json.err());
        assertFalse(json.err().contains("note:"), "with --json the note is in the document: " + json.err());
        JsonNode reconciled = new ObjectMapper().readTree(json.out()).get("reconciled");
        assertEquals(1, reconciled.size(), json.out());
        assertTrue(reconciled.get(0).asText().startsWith("settled an interrupted apply of livepatch_sample"));

        FakeRoot.Run quiet = upgrade();
        assertEquals("", quiet.err(), "nothing pending: nothing said");
    }

    @Test
    void aKernelThatLostItsPatchGetsItAgainFromTheCache() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        // A reboot into the same kernel: the patch is gone, the state directory stays.
        deleteTree(host.root.resolve("sys/kernel/livepatch/livepatch_sample"));
        deleteTree(host.root.resolve("sys/module/livepatch_sample"));
        String sha = onlyCached();
        Files.delete(repo.resolve("blobs/sha256/" + sha));
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("applied"), run.out());
        assertEquals(2, syscalls.calls.toString().lines().count(), syscalls.calls.toString());
    }

    @Test
    void theBootReloadKeepsTheEffectiveVersion() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        deleteTree(host.root.resolve("sys/kernel/livepatch/livepatch_sample"));
        deleteTree(host.root.resolve("sys/module/livepatch_sample"));
        assertEquals("6.1.0-56-amd64\n", run("uname", "-r", "--state-dir", state.toString()).out(), "not loaded");
        FakeRoot.Run load = run("load", "--all", "--state-dir", state.toString());
        assertEquals(ExitCodes.OK, load.exit(), load.err());
        assertEquals("6.1.0-57-amd64\n", run("uname", "-r", "--state-dir", state.toString()).out());
        assertTrue(recorded(state).contains("\"effectiveVersion\" : \"6.1.0-57-amd64\""), recorded(state));
    }

    @Test
    void theBootReloadFindsWhatUpgradeRecordedInTheConfigsStateDir() throws Exception {
        Path hostConfig = hostConfig("");
        FakeRoot.Run upgraded = run("upgrade", "--config", hostConfig.toString());
        assertEquals(ExitCodes.OK, upgraded.exit(), upgraded.err());
        assertTrue(recorded(state).contains("livepatch_sample"), "recorded where the config says");
        reboot();

        FakeRoot.Run load = run("load", "--all");
        assertEquals(ExitCodes.OK, load.exit(), load.err());
        assertEquals("livepatch_sample loaded\n", load.out());
        assertEquals("", load.err());
        assertEquals(2, syscalls.calls.toString().lines().count(), syscalls.calls.toString());
        assertEquals("6.1.0-57-amd64\n", run("uname", "-r").out());
    }

    @Test
    void aBadLineElsewhereInTheConfigDoesNotStopTheBootReload() throws Exception {
        Path hostConfig = hostConfig("");
        assertEquals(ExitCodes.OK, run("upgrade", "--config", hostConfig.toString()).exit());
        reboot();
        hostConfig("proxy\n");   // a feed setting broken after the upgrade: the next upgrade refuses it, boot must not

        FakeRoot.Run load = run("load", "--all");
        assertEquals(ExitCodes.OK, load.exit(), load.err());
        assertEquals("livepatch_sample loaded\n", load.out());
        assertEquals("patchvisor: warning: " + hostConfig + " line 4: expected 'key = value', got 'proxy' "
                + "(ignored: this command reads only state-dir)\n", load.err());
        assertEquals(2, syscalls.calls.toString().lines().count(), syscalls.calls.toString());
        assertEquals(ExitCodes.FEED_FAILED, run("upgrade", "--config", hostConfig.toString()).exit());
    }

    @Test
    void aKernelTheFeedDoesNotKnowHasNoPatches() throws Exception {
        host = new FakeRoot(tmp.resolve("other-root"), "6.1.0-99-amd64");
        syscalls = new LoadingSyscalls(host);
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.NO_PATCHES, run.exit(), run.err());
        assertTrue(run.out().contains("the feed has no live patches for kernel 6.1.0-99-amd64"), run.out());
        assertEquals("", run.err());
        assertEquals("", syscalls.calls.toString());
    }

    @Test
    void aTamperedBlobIsRefusedAndNothingChanges() throws Exception {
        Path blob;
        try (Stream<Path> blobs = Files.list(repo.resolve("blobs/sha256"))) {
            blob = blobs.filter(p -> {
                try {
                    return Files.size(p) == Files.size(SAMPLE);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.FEED_FAILED, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("patchvisor upgrade: bundle livepatch_sample-") && run.err().contains("sha256"),
                run.err());
        assertEquals("", syscalls.calls.toString());
        assertFalse(Files.exists(state.resolve("kernels")), "no installed record");
        assertFalse(Files.exists(cacheDir()) && Files.list(cacheDir()).findAny().isPresent(), "nothing cached");
    }

    @Test
    void anIndexSignedByAnUnknownKeyIsRefused() throws Exception {
        writeConfig(repo.toString(), SigningKey.generate(), state);
        FakeRoot.Run run = upgrade("--json");
        assertEquals(ExitCodes.FEED_FAILED, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("error", json.get("result").asText());
        assertEquals(ExitCodes.FEED_FAILED, json.get("exitCode").asInt());
        assertEquals("", syscalls.calls.toString());
    }

    @Test
    void aFileThatIsNotTheAnnouncedModuleIsRefused() throws Exception {
        Path liar = tmp.resolve("liar.ko");
        Files.copy(SAMPLE, liar);
        Files.write(liar, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND); // another sha256
        publisher = new PublisherRepository(repo, module -> new ModuleInfo("pv_liar", "6.1.0-56-amd64 SMP", true,
                Optional.empty(), Optional.empty(), List.of(), false), Clock.systemUTC());
        publisher.add(liar, new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(), List.of(), 2,
                List.of()));
        publisher.sign(key, Duration.ofDays(3));
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.REFUSED, run.exit(), run.err());
        assertTrue(run.err().contains("announces module pv_liar but its file is module livepatch_sample"), run.err());
        assertEquals("", syscalls.calls.toString());
    }

    @Test
    void stateDirOnTheCommandLineWinsOverTheConfig() throws Exception {
        Path other = tmp.resolve("other-state");
        assertEquals(ExitCodes.OK, upgrade("--state-dir", other.toString()).exit());
        assertTrue(recorded(other).contains("livepatch_sample"));
        assertFalse(Files.exists(state), "the config's state-dir was not used");
        FakeRoot.Run check = run("check", "--config", config.toString(), "--state-dir", other.toString());
        assertEquals(CheckCommand.UP_TO_DATE, check.exit(), check.out() + check.err());
    }

    @Test
    void nonRootIsRefusedBeforeAnyDownload() throws Exception {
        host.write("proc/self/status", "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\n");
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.NOT_ROOT, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertFalse(Files.exists(cacheDir()));
    }

    @Test
    void aDryRunPrintsThePlanAndChangesNothingAnywhere() throws Exception {
        FakeRoot.Run run = upgrade("--dry-run");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().startsWith("dry run: nothing is downloaded, loaded or recorded\n"), run.out());
        assertTrue(run.out().contains("would download livepatch_sample-"), run.out());
        assertTrue(run.out().contains("module livepatch_sample, level 1; fixes CVE-2024-1086; effective kernel "
                + "version 6.1.0-57-amd64"), run.out());
        assertEquals("", run.err());
        assertEquals("", syscalls.calls.toString(), "nothing loaded");
        assertFalse(Files.exists(state), "no serial, cache, journal, lock or record written");
    }

    @Test
    void aDryRunWorksWithoutRootAndSaysTheRealRunNeedsIt() throws Exception {
        host.write("proc/self/status", "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\n");
        FakeRoot.Run run = upgrade("--dry-run");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("note: applying needs root; this run is not root"), run.out());
        assertFalse(Files.exists(state));
    }

    @Test
    void aDryRunNamesWhatANewerLevelWouldSupersedeAndWhatItHoldsBack() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        Path v2 = tmp.resolve("v2.ko");
        Files.write(v2, new byte[] {5, 6, 7, 8});
        publisher = new PublisherRepository(repo, module -> new ModuleInfo("livepatch_v2", "6.1.0-56-amd64 SMP", true,
                Optional.empty(), Optional.empty(), List.of(), false), Clock.systemUTC());
        publisher.add(v2, new BundleSpec(List.of(), List.of("CVE-2024-0002"), Optional.empty(), Optional.empty(),
                List.of(), 2, List.of()));
        Path v3 = tmp.resolve("v3.ko");
        Files.write(v3, new byte[] {9, 9, 9});
        publisher = new PublisherRepository(repo, module -> new ModuleInfo("livepatch_v3", "6.1.0-56-amd64 SMP", true,
                Optional.empty(), Optional.empty(), List.of(), false), Clock.systemUTC());
        publisher.add(v3, new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(), List.of(), 3,
                List.of()));
        publisher.sign(key, Duration.ofDays(3));
        String stateBefore = listing(state);

        FakeRoot.Run run = upgrade("--dry-run", "--json");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("would-apply", json.get("result").asText());
        assertEquals("livepatch_v3", json.at("/bundle/module").asText());
        assertTrue(json.get("download").asBoolean());
        assertEquals("[\"livepatch_sample\"]", json.get("superseded").toString());
        assertEquals(1, json.get("heldBack").size(), json.toString());
        assertEquals("livepatch_v2", json.at("/heldBack/0/module").asText());
        assertTrue(json.at("/heldBack/0/reason").asText().startsWith("older than livepatch_v3-"), json.toString());
        assertEquals("finit_module livepatch_sample\n", syscalls.calls.toString(), "nothing loaded by the dry run");
        assertEquals(stateBefore, listing(state), "the state directory is as it was (no new serial, no download)");
    }

    @Test
    void aDryRunJudgesACachedModuleByThePreflightRules() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        deleteTree(host.root.resolve("sys/kernel/livepatch/livepatch_sample"));
        deleteTree(host.root.resolve("sys/module/livepatch_sample"));
        host.write("sys/module/module/parameters/sig_enforce", "Y\n");
        FakeRoot.Run run = upgrade("--dry-run");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("from the download cache"), run.out());
        assertTrue(run.out().contains("note: the real run would refuse it: livepatch_sample-"), run.out());
        assertTrue(run.out().contains("is unsigned and this kernel enforces module signatures"), run.out());
    }

    @Test
    void aDryRunOfAnUpToDateHostSaysSo() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        FakeRoot.Run run = upgrade("--dry-run");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("is up to date: nothing would be applied"), run.out());
    }

    @Test
    void aDryRunForAKernelTheFeedDoesNotKnowEndsAsTheRealRunWould() throws Exception {
        host = new FakeRoot(tmp.resolve("other-root"), "6.1.0-99-amd64");
        syscalls = new LoadingSyscalls(host);
        FakeRoot.Run run = upgrade("--dry-run");
        assertEquals(ExitCodes.NO_PATCHES, run.exit(), run.err());
        assertTrue(run.out().contains("the feed has no live patches for kernel 6.1.0-99-amd64"), run.out());
    }

    private Path renamedSample(String name) throws IOException {
        return SampleFeed.renamedSample(tmp, name);
    }

    /** The bundle of the sample for this host's kernel (the setup publishes one of that name for the cloud too). */
    private String sampleBundleId() throws IOException {
        return realPublisher().bundles().stream().filter(b -> b.module().equals("livepatch_sample")
                && b.kernels().get(0).release().equals("6.1.0-56-amd64")).findFirst().orElseThrow().id();
    }

    private PublisherRepository realPublisher() {
        return new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
    }

    @Test
    void aRevokedPatchIsCriticalForCheckThenRemovedForgottenAndReplacedByTheGoodOne() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        String sampleId = sampleBundleId();
        realPublisher().add(renamedSample("livepatch_sampl2"), new BundleSpec(List.of(), List.of("CVE-2024-1086"),
                Optional.empty(), Optional.empty(), List.of(), 1, List.of()));
        realPublisher().revoke(sampleId, "crashes under heavy ptrace use");
        publisher.sign(key, Duration.ofDays(3));

        FakeRoot.Run check = run("check", "--config", config.toString());
        assertEquals(CheckCommand.UNSUPPORTED_KERNEL, check.exit(), check.out() + check.err());
        assertTrue(check.out().contains("revoked live patch in use") && check.out().contains("heavy ptrace"),
                check.out());

        FakeRoot.Run run = upgrade("--json");
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("applied", json.get("result").asText());
        assertEquals("livepatch_sampl2", json.at("/bundle/module").asText());
        assertEquals("livepatch_sample", json.at("/revokedRemoved/0/patch").asText());
        assertEquals("finit_module livepatch_sample\ndelete_module livepatch_sample\nfinit_module livepatch_sampl2\n",
                syscalls.calls.toString());
        assertFalse(recorded(state).contains("\"livepatch_sample\""), "forgotten: " + recorded(state));
        assertEquals(CheckCommand.UP_TO_DATE, run("check", "--config", config.toString()).exit());
    }

    @Test
    void aRunThatFailsBeforeRemovingARevokedPatchStillReportsItInTheMetrics() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        Path replacement = renamedSample("livepatch_sampl2");
        BundleEntry good = realPublisher().add(replacement, new BundleSpec(List.of(), List.of("CVE-2024-1086"),
                Optional.empty(), Optional.empty(), List.of(), 1, List.of()));
        realPublisher().revoke(sampleBundleId(), "crashes under heavy ptrace use");
        publisher.sign(key, Duration.ofDays(3));
        // The replacement is fetched before the revoked patch is removed: a bad blob stops the run there.
        Path blob = repo.resolve("blobs/sha256").resolve(good.sha256());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);

        Path metrics = tmp.resolve("prom/patchvisor.prom");
        FakeRoot.Run run = upgrade("--metrics-file", metrics.toString());
        assertEquals(ExitCodes.FEED_FAILED, run.exit(), run.err());
        assertEquals("finit_module livepatch_sample\n", syscalls.calls.toString(), "the revoked patch stays loaded");
        String figures = Files.readString(tmp.resolve("prom/patchvisor-upgrade.prom"));
        assertTrue(figures.contains("patchvisor_revoked_patches_in_use{run=\"upgrade\",target=\"host\"} 1"), figures);
        assertFalse(figures.contains("patchvisor_last_success_timestamp_seconds"), "the run failed: " + figures);
    }

    @Test
    void aRevokedPatchWithNothingInItsPlaceIsRemovedAndNeverReloadedAtBoot() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        String sampleId = sampleBundleId();
        realPublisher().revoke(sampleId, "fixes the wrong function");
        publisher.sign(key, Duration.ofDays(3));
        // The host learns of it from a check, then reboots before any upgrade: the boot reload leaves it out.
        assertEquals(CheckCommand.UNSUPPORTED_KERNEL, run("check", "--config", config.toString()).exit());
        reboot();
        FakeRoot.Run load = run("load", "--all", "--state-dir", state.toString());
        assertEquals(ExitCodes.OK, load.exit(), load.err());
        assertTrue(load.err().contains("livepatch_sample not loaded and forgotten") && load.err().contains("wrong"),
                load.err());
        assertEquals("finit_module livepatch_sample\n", syscalls.calls.toString(), "not loaded again");
        assertFalse(recorded(state).contains("\"livepatch_sample\""), recorded(state));

        // Loaded by hand again (say from an old copy): upgrade takes it out, and nothing else is there to apply.
        syscalls.finitModule(SAMPLE);
        FakeRoot.Run run = upgrade();
        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("removed revoked live patch livepatch_sample"), run.out());
        assertTrue(run.out().contains("the feed has no other live patch"), run.out());
    }

    @Test
    void aLevelAboveTheHostsPinIsHeldBackWithItsReason() throws Exception {
        realPublisher().add(renamedSample("livepatch_sampl3"), new BundleSpec(List.of(), List.of(),
                Optional.empty(), Optional.empty(), List.of(), 3, List.of()));
        publisher.sign(key, Duration.ofDays(3));
        FakeRoot.Run plan = upgrade("--dry-run", "--level", "2");
        assertEquals(ExitCodes.OK, plan.exit(), plan.err());
        assertTrue(plan.out().contains("would apply livepatch_sample-"), plan.out());
        assertTrue(plan.out().contains("held back: livepatch_sampl3-") && plan.out().contains("above this host's "
                + "max-level 2"), plan.out());
        assertEquals(ExitCodes.USAGE, upgrade("--level", "0").exit());
    }

    @Test
    void aTestingBundleWaitsForItsPromotionWhileTestingHostsTakeItAndStableOnesToo() throws Exception {
        realPublisher().add(renamedSample("livepatch_sampl4"), new BundleSpec(List.of(), List.of(),
                Optional.empty(), Optional.empty(), List.of(), 4, List.of(), "testing"));
        publisher.sign(key, Duration.ofDays(3));
        FakeRoot.Run stable = upgrade("--dry-run");
        assertTrue(stable.out().contains("would apply livepatch_sample-"), stable.out());
        assertTrue(stable.out().contains("held back: livepatch_sampl4-") && stable.out().contains("not in channel "
                + "stable (it is in testing)"), stable.out());
        Files.writeString(config, Files.readString(config) + "channel = testing\n");
        FakeRoot.Run testing = upgrade("--dry-run");
        assertTrue(testing.out().contains("would apply livepatch_sampl4-"), testing.out());
        assertTrue(testing.out().contains("held back: livepatch_sample-") && testing.out().contains("older than "),
                "a testing host sees the stable bundles as well: " + testing.out());
    }

    @Test
    void afterAStolenKeyTheOperatorResetsTrustAndRevocationsStay() throws Exception {
        assertEquals(ExitCodes.OK, upgrade().exit());
        String feedId = realPublisher().feedId();
        realPublisher().revoke(sampleBundleId(), "broken");
        publisher.sign(key, Duration.ofDays(3));
        assertEquals(CheckCommand.CRITICAL, check().exit(), "the host learns of the revocation");
        // The thief signs the largest serial with the stolen key: every later index of the publisher looks replayed.
        String index = Files.readString(repo.resolve("index.json"));
        writeSigned(repo, index.replaceFirst("\"serial\":\\d+", "\"serial\":" + Long.MAX_VALUE), key);
        assertEquals(CheckCommand.CRITICAL, check().exit());
        // The publisher starts over with a fresh key, same feed; the operator trusts that key instead.
        SigningKey fresh = SigningKey.generate();
        Path rebuilt = tmp.resolve("rebuilt");
        PublisherRepository again = new PublisherRepository(rebuilt, ModuleFiles::read, Clock.systemUTC());
        again.init(Optional.of(feedId));
        again.sign(fresh, Duration.ofDays(3));
        writeConfig(rebuilt.toString(), fresh, state);
        FakeRoot.Run stuck = check();
        assertEquals(CheckCommand.FAILED, stuck.exit(), stuck.out());
        assertTrue(stuck.err().contains("older than serial " + Long.MAX_VALUE), stuck.err());

        FakeRoot.Run reset = run("reset-trust", "--config", config.toString());
        assertEquals(ExitCodes.OK, reset.exit(), reset.err());
        assertTrue(reset.out().contains("1 revocation(s) kept"), reset.out());
        FakeRoot.Run after = check();
        assertEquals(CheckCommand.UNSUPPORTED_KERNEL, after.exit(), after.out() + after.err());
        assertTrue(after.out().contains("revoked live patch in use"), "the revocation is remembered: " + after.out());
    }

    private FakeRoot.Run check() {
        return run("check", "--config", config.toString());
    }

    /** Replaces {@code repository}'s index with {@code index}, signed by {@code signer} alone. */
    private static void writeSigned(Path repository, String index, SigningKey signer) throws IOException {
        byte[] bytes = index.getBytes(StandardCharsets.UTF_8);
        String sig = Base64.getEncoder().encodeToString(Ed25519Keys.sign(signer.privateKey(), bytes));
        Files.write(repository.resolve("index.json.sig"), CanonicalJson.write(new SignatureFile(List.of(
                new IndexSignature(signer.keyId(), sig)))));
        Files.write(repository.resolve("index.json"), bytes);
    }

    @Test
    void aGuestSelectionWithoutGuestsIsAUsageErrorNotAHostUpgrade() throws Exception {
        FakeRoot.Run run = upgrade("--only", "web1");
        assertEquals(ExitCodes.USAGE, run.exit(), run.out());
        assertEquals("patchvisor upgrade: --only selects guests; add --guests\n", run.err());
        assertEquals("", syscalls.calls.toString());
        assertFalse(Files.exists(state));
    }

    /** The host's own /etc/patchvisor/patchvisor.conf, the feed's settings followed by {@code extra}. */
    private Path hostConfig(String extra) throws IOException {
        Path file = host.root.resolve("etc/patchvisor/patchvisor.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, Files.readString(config) + extra);
        return file;
    }

    /** A reboot into the same kernel: the patch is gone from sysfs, the state directory stays. */
    private void reboot() throws IOException {
        deleteTree(host.root.resolve("sys/kernel/livepatch/livepatch_sample"));
        deleteTree(host.root.resolve("sys/module/livepatch_sample"));
    }

    /** Every file under a directory with its size and content hash, to show a run left it as it was. */
    private static String listing(Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted().toList()) {
                out.append(dir.relativize(p));
                if (Files.isRegularFile(p)) {
                    out.append(' ').append(org.patchvisor.io.Sha256.of(Files.readAllBytes(p)));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String recorded(Path stateDir) throws IOException {
        try (Stream<Path> files = Files.walk(stateDir.resolve("kernels"))) {
            Path file = files.filter(p -> p.getFileName().toString().equals("installed.json")).findFirst().orElseThrow();
            return Files.readString(file);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path cacheDir() {
        return state.resolve("cache/sha256");
    }

    private String onlyCached() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir())) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0).getFileName().toString();
        }
    }

    /** Registers a loaded module as a finished, enabled live patch in the fake sysfs, as the kernel would. */
    static final class LoadingSyscalls implements ModuleSyscalls {
        final FakeRoot host;
        final StringBuilder calls = new StringBuilder();

        LoadingSyscalls(FakeRoot host) {
            this.host = host;
        }

        @Override
        public void finitModule(Path module) throws IOException {
            String name = ModuleFiles.read(module).name();
            calls.append("finit_module ").append(name).append('\n');
            host.livePatch(name, true, false, "vmlinux", "cmdline_proc_show,1")
                    .write("proc/sys/kernel/tainted", "32768\n");
        }

        @Override
        public void deleteModule(String name) throws IOException {
            calls.append("delete_module ").append(name).append('\n');
            // The kernel drops the patch's sysfs directories with the module.
            for (String dir : List.of("sys/kernel/livepatch/", "sys/module/")) {
                if (Files.exists(host.root.resolve(dir + name))) {
                    deleteTree(host.root.resolve(dir + name));
                }
            }
        }
    }
}
