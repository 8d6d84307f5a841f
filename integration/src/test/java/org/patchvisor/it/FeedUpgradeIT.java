package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * The signed feed end to end on a real kernel. On this machine the real CLI builds a repository (the sample
 * pv_cmdline for the VM's kernel, plus one built for the cloud kernel that must be ignored), signs it, serves it
 * with {@code repo serve} on loopback and mirrors it for offline use. The Debian kernel boots under QEMU with
 * user-mode networking, so {@code patchvisor check/upgrade} inside it reach the server at 10.0.2.2; they patch the
 * running kernel, and refuse a tampered blob and an index signed by an unknown key without touching it.
 */
class FeedUpgradeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CMDLINE_MARK = "patchvisor: live patch pv_cmdline active";

    private static KernelVm vm;
    private static Path work;
    private static TestFeed feed;
    private static Path mirror;
    private static String genericSha;
    private static String effectiveVersion;
    private static RepoServer server;
    private static String feedUrl;
    private static String pristineCmdline;
    private String stateDir;
    private String config;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void publishServeAndBoot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        String cloud = components.cloudRelease()
                .orElseThrow(() -> new AssertionError("no cloud-flavour kernel installed (linux-image-cloud-amd64)"));
        Path patches = HostScripts.samplePatches(release);
        Path cloudPatches = HostScripts.samplePatches(cloud);
        effectiveVersion = nextAbi(release);

        work = Files.createTempDirectory(HostScripts.targetDir("feed-it"), "run-");
        feed = TestFeed.create(work);
        genericSha = feed.add(patches.resolve("pv_cmdline.ko"), "--effective-version", effectiveVersion,
                "--cve", "CVE-2024-1086", "--cve", "CVE-2024-26581", "--description", "sample");
        feed.add(cloudPatches.resolve("pv_cmdline.ko"), "--effective-version", nextAbi(cloud),
                "--cumulative-level", "3");
        feed.sign();
        server = RepoServer.start(feed.repo);
        feedUrl = server.url();
        // Made before the VM boots, so the guest's overlay sees it as it sees any other host file.
        mirror = work.resolve("mirror");
        pv("repo", "mirror", feedUrl, mirror.toString(), "--trusted-key", feed.trustedKey);

        vm = KernelVm.boot(release, KernelVm.Options.defaults().withUserNetwork());
        pristineCmdline = vm.shOk("cat /proc/cmdline");
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshState(TestInfo test) {
        String name = test.getTestMethod().orElseThrow().getName();
        stateDir = "/var/lib/patchvisor/" + name;
        config = "/tmp/" + name + ".conf";
    }

    @AfterEach
    void kernelIsPristine() throws IOException {
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"), "live patches left behind");
        assertEquals("", vm.sh("grep '^pv_' /proc/modules").stdout(), "modules left behind");
        assertEquals(pristineCmdline, vm.shOk("cat /proc/cmdline"));
    }

    @Test
    void upgradeFromTheServedFeedPatchesTheRunningKernel() throws IOException {
        writeConfig("http://" + KernelVm.HOST_ADDRESS + ":" + port() + "/");
        ExecResult before = guest("check");
        assertEquals(1, before.exitCode(), before.stdout() + before.stderr());
        assertTrue(before.stdout().contains("update available for " + vm.release()), before.stdout());

        ExecResult upgrade = guest("upgrade", "--json");
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        JsonNode result = JSON.readTree(upgrade.stdout());
        assertEquals("applied", result.get("result").asText());
        assertEquals(genericSha, result.at("/bundle/sha256").asText(), "the bundle for this kernel, not the cloud one");
        assertEquals(vm.release(), result.at("/bundle/kernels/0/release").asText());
        assertTrue(result.at("/functions/vmlinux").toString().contains("cmdline_proc_show"), upgrade.stdout());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK), "the running kernel is patched");

        ExecResult after = guest("check");
        assertEquals(0, after.exitCode(), after.stdout() + after.stderr());
        assertTrue(after.stdout().contains("is up to date (pv_cmdline)"), after.stdout());
        assertEquals(effectiveVersion, pvInGuestOk("uname", "-r", "--state-dir", stateDir).strip());
        assertEquals(genericSha + "\n", vm.shOk("ls " + stateDir + "/cache/sha256"), "one download, cached by hash");
        unpatch();
    }

    @Test
    void aDryRunOnTheRealKernelPrintsThePlanAndLoadsNothing() throws IOException {
        writeConfig("http://" + KernelVm.HOST_ADDRESS + ":" + port() + "/");
        vm.shOk("chmod 644 " + config);
        ExecResult dry = guest("upgrade", "--dry-run");
        assertEquals(0, dry.exitCode(), dry.stdout() + dry.stderr());
        assertTrue(dry.stdout().contains("would download pv_cmdline-"), dry.stdout());
        assertTrue(dry.stdout().contains("module pv_cmdline, level 1"), dry.stdout());
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"), "the dry run loaded nothing");
        assertFalse(vm.sh("test -e " + stateDir).ok(), "the dry run wrote no state (serial, cache, journal, lock)");

        // What only reads needs no root: the same plan as an unprivileged user of the real kernel.
        String launcher = HostScripts.projectRoot().resolve("bin/patchvisor").toString();
        ExecResult unprivileged = vm.exec("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                launcher, "upgrade", "--config", config, "--dry-run");
        assertEquals(0, unprivileged.exitCode(), unprivileged.stdout() + unprivileged.stderr());
        assertTrue(unprivileged.stdout().contains("would download pv_cmdline-"), unprivileged.stdout());
        assertTrue(unprivileged.stdout().contains("note: applying needs root"), unprivileged.stdout());
        assertFalse(vm.sh("test -e " + stateDir).ok());
    }

    @Test
    void aTamperedBlobIsRefusedAndNothingIsApplied() throws IOException {
        Path blob = feed.repo.resolve("blobs/sha256/" + genericSha);
        byte[] good = Files.readAllBytes(blob);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x01;
        Files.write(blob, bad);
        try {
            writeConfig("http://" + KernelVm.HOST_ADDRESS + ":" + port() + "/");
            ExecResult upgrade = guest("upgrade");
            assertEquals(14, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
            assertEquals(1, upgrade.stderr().lines().count(), upgrade.stderr());
            assertTrue(upgrade.stderr().contains("has sha256") && upgrade.stderr().contains("the signed index says"),
                    upgrade.stderr());
            assertNothingRecorded();
        } finally {
            Files.write(blob, good);
        }
    }

    @Test
    void anIndexSignedByAnUnknownKeyIsRefused() throws IOException {
        Path otherKey = work.resolve("intruder.key");
        TestFeed.keygen(otherKey);
        feed.signWith(otherKey);
        try {
            writeConfig("http://" + KernelVm.HOST_ADDRESS + ":" + port() + "/");
            ExecResult upgrade = guest("upgrade");
            assertEquals(14, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
            assertEquals(1, upgrade.stderr().lines().count(), upgrade.stderr());
            assertTrue(upgrade.stderr().contains("signed only by untrusted key"), upgrade.stderr());
            assertNothingRecorded();
        } finally {
            feed.sign();
        }
    }

    @Test
    void cvesVexAndMetricsAgreeWithWhatTheKernelRuns() throws Exception {
        writeConfig("http://" + KernelVm.HOST_ADDRESS + ":" + port() + "/");
        ExecResult open = guest("cves", "--cve", "CVE-2024-1086");
        assertEquals(1, open.exitCode(), open.stdout() + open.stderr());
        assertEquals("host CVE-2024-1086 available\n", open.stdout());
        try {
            ExecResult upgrade = guest("upgrade", "--metrics-file", "/tmp/cves.prom");
            assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
            assertEquals("pv_cmdline\n", vm.shOk("ls /sys/kernel/livepatch"));

            JsonNode cves = JSON.readTree(guest("cves", "--json").stdout());
            JsonNode host = cves.at("/targets/0");
            assertEquals("[\"CVE-2024-1086\",\"CVE-2024-26581\"]", host.get("fixed").toString(), cves.toString());
            assertEquals("pv_cmdline", host.at("/target/patches/0/patch").asText(), "as sysfs shows: " + cves);
            assertEquals(vm.release(), host.at("/target/kernel").asText());
            assertEquals(effectiveVersion, host.at("/target/effectiveVersion").asText());
            ExecResult answers = guest("cves", "--cve", "CVE-2024-26581", "--cve", "CVE-2099-0001");
            assertEquals(1, answers.exitCode());
            assertEquals("host CVE-2024-26581 fixed\nhost CVE-2099-0001 not-covered\n", answers.stdout());
            assertEquals(0, guest("cves", "--cve", "CVE-2024-1086", "--cve", "CVE-2024-26581").exitCode());

            String metrics = vm.shOk("cat /tmp/cves-upgrade.prom");
            assertTrue(metrics.contains("patchvisor_cve_fixed{run=\"upgrade\",target=\"host\",cve=\"CVE-2024-26581\"} 1"),
                    metrics);
            assertTrue(metrics.contains("patchvisor_cves_pending{run=\"upgrade\",target=\"host\"} 0"), metrics);

            ExecResult vex = guest("vex", "--out", "/tmp/vex.json");
            assertEquals(0, vex.exitCode(), vex.stderr());
            byte[] document = vm.shOk("cat /tmp/vex.json").getBytes(StandardCharsets.UTF_8);
            assertEquals(List.of(), new org.cyclonedx.parsers.JsonParser().validate(document,
                    org.cyclonedx.Version.VERSION_16), "CycloneDX 1.6 schema");
            JsonNode bom = JSON.readTree(document);
            assertEquals(2, bom.get("vulnerabilities").size(), bom.toString());
            assertTrue(bom.at("/components/0/purl").asText().startsWith("pkg:deb/debian/linux-image-" + vm.release()
                    + "@"), bom.toString());
            assertEquals(vm.shOk("cat /tmp/vex.json"), pvInGuestOk("vex", "--config", config).strip() + "\n",
                    "the same state, the same document");
        } finally {
            unpatch();
        }
    }

    @Test
    void upgradeFromAnOfflineMirror() throws IOException {
        writeConfig("file:" + mirror);
        ExecResult upgrade = guest("upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertTrue(upgrade.stdout().contains("applied: pv_cmdline") && upgrade.stdout().contains(effectiveVersion),
                upgrade.stdout());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));
        unpatch();
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /** The feed's state lives where the config says; the command line names only the config. */
    private void writeConfig(String repository) throws IOException {
        String text = "# written by " + getClass().getSimpleName() + "\n" + feed.clientConfig(repository, stateDir);
        vm.writeFile(config, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Takes pv_cmdline out with the kernel's own interface: 'patchvisor remove' is covered by HostEngineIT, and
     * under TCG every JVM start inside the guest costs seconds.
     */
    private static void unpatch() throws IOException {
        vm.shOk("echo 0 > /sys/kernel/livepatch/pv_cmdline/enabled;"
                + " for i in $(seq 1 300); do [ -e /sys/kernel/livepatch/pv_cmdline ] || break; sleep 0.1; done;"
                + " rmmod pv_cmdline");
    }

    private void assertNothingRecorded() throws IOException {
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"));
        assertFalse(vm.sh("ls " + stateDir + "/kernels/*/installed.json").ok(), "no installed record");
        assertEquals("", vm.sh("ls " + stateDir + "/cache/sha256 2>/dev/null").stdout(), "nothing cached");
    }

    private ExecResult guest(String command, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(command, "--config", config));
        argv.addAll(List.of(args));
        return vm.patchvisor(argv.toArray(String[]::new));
    }

    private static String pvInGuestOk(String... args) throws IOException {
        ExecResult r = vm.patchvisor(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
        return r.stdout();
    }

    /** Runs the real CLI on this machine (publisher side only: nothing here touches this machine's kernel). */
    private static String pv(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        return HostScripts.run(120, argv.toArray(String[]::new));
    }

    private static String port() {
        return Integer.toString(server.port());
    }

    /** "6.1.0-56-amd64" → "6.1.0-57-amd64": the release a patched kernel is said to be equivalent to. */
    private static String nextAbi(String release) {
        Matcher m = Pattern.compile("^(\\d+\\.\\d+\\.\\d+-)(\\d+)(-.*)$").matcher(release);
        return m.matches() ? m.group(1) + (Integer.parseInt(m.group(2)) + 1) + m.group(3) : release + "+pv1";
    }
}
