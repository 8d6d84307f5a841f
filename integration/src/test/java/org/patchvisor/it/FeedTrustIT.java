package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * Feed trust and control on a real kernel: a feed published with the real CLI on this machine and served by
 * Python's {@code http.server} (a plain static server, as any mirror is), twice: the live repository and a mirror
 * copied before the feed moved on. Inside the Debian kernel under QEMU, {@code patchvisor} follows the stable
 * channel (a testing bundle waits until promoted, and a delay holds a promoted one back), refuses the older mirror's
 * serial under another URL, removes a revoked patch and applies its replacement, learns a rotated signing key once
 * and then refuses an index signed only by the retired key. One VM, one state directory, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedTrustIT {
    private static final String STATE = "/var/lib/patchvisor/trust";
    private static final String CONFIG = "/tmp/trust.conf";
    private static final String VERSION_MARK = "patchvisor: live patch pv_version active";

    private static KernelVm vm;
    private static Path work;
    private static Path repo;
    private static Path oldKey;
    private static Path newKey;
    private static String trustedOld;
    private static Path patches;
    private static PythonStaticServer live;
    private static PythonStaticServer staleMirror;
    private static String pristineVersion;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void publishServeAndBoot() throws Exception {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireFile("usr/bin/python3", "python3 (its http.server serves the feed)");
        patches = HostScripts.samplePatches(release);
        work = Files.createTempDirectory(HostScripts.targetDir("feed-trust-it"), "run-");
        repo = work.resolve("repo");
        oldKey = work.resolve("old.key");
        newKey = work.resolve("new.key");
        pv("repo", "init", repo.toString(), "--feed-id", "it-trust-feed");
        trustedOld = TestFeed.keygen(oldKey);
        TestFeed.keygen(newKey);
        pv("repo", "add", repo.toString(), patches.resolve("pv_cmdline.ko").toString(), "--cumulative-level", "1",
                "--cve", "CVE-2024-1086");
        pv("repo", "add", repo.toString(), patches.resolve("pv_version.ko").toString(), "--cumulative-level", "2",
                "--channel", "testing");
        pv("repo", "sign", repo.toString(), "--key", oldKey.toString());
        Path mirror = work.resolve("mirror-serial-1");
        copyTree(repo, mirror);
        live = PythonStaticServer.start(repo);
        staleMirror = PythonStaticServer.start(mirror);

        vm = KernelVm.boot(release, KernelVm.Options.defaults().withUserNetwork());
        pristineVersion = vm.shOk("cat /proc/version");
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
        for (PythonStaticServer server : new PythonStaticServer[] {live, staleMirror}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    @Order(1)
    void aHostOnTheStableChannelTakesOnlyWhatIsInIt() throws IOException {
        config(List.of(live.urlFromVm(), staleMirror.urlFromVm()));
        ExecResult upgrade = pvInVm("upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertEquals("pv_cmdline\n", vm.shOk("ls /sys/kernel/livepatch"), "pv_version is only in testing");
        ExecResult check = pvInVm("check");
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("held back: pv_version-") && check.stdout().contains("not in channel stable"),
                check.stdout());
        assertEquals(0, staleMirror.requests("index.json"), "the first mirror answered: " + staleMirror.log());
    }

    @Test
    @Order(2)
    void aPromotedBundleWaitsOutTheHostsDelayThenIsApplied() throws Exception {
        String id = bundleId("pv_version");
        pv("repo", "promote", repo.toString(), id, "--to", "stable");
        pv("repo", "sign", repo.toString(), "--key", oldKey.toString());
        // The delay counts from the signed index that first shows it in stable, whatever the server's file dates.
        Instant published = Instant.now();
        config(List.of(live.urlFromVm()), "delay = 60s");
        ExecResult waiting = pvInVm("upgrade");
        assertEquals(0, waiting.exitCode(), waiting.stdout() + waiting.stderr());
        assertFalse(vm.shOk("cat /proc/version").contains(VERSION_MARK), "held back by the delay");
        ExecResult plan = pvInVm("upgrade", "--dry-run");
        assertTrue(plan.stdout().contains("held back: " + id) && plan.stdout().contains("waits 1m"), plan.stdout());
        long left = Duration.between(Instant.now(), published.plusSeconds(65)).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
        ExecResult upgrade = pvInVm("upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertTrue(vm.shOk("cat /proc/version").contains(VERSION_MARK), "pv_version is live once the delay passed");
    }

    @Test
    @Order(3)
    void aMirrorOfTheSameFeedCannotTakeTheHostBackToAnOlderSerial() throws IOException {
        config(List.of(staleMirror.urlFromVm()));
        ExecResult upgrade = pvInVm("upgrade");
        assertEquals(14, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertTrue(upgrade.stderr().contains("has serial 1, older than serial 2 already accepted from feed "
                + "it-trust-feed"), upgrade.stderr());
        assertEquals(1, upgrade.stderr().lines().count(), upgrade.stderr());
        // A mirror that does not answer is passed over for the next one, with a warning.
        config(List.of("http://" + KernelVm.HOST_ADDRESS + ":9/", live.urlFromVm()));
        ExecResult check = pvInVm("check");
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stderr().contains("warning: mirror http://" + KernelVm.HOST_ADDRESS + ":9/ passed over"),
                check.stderr());
    }

    @Test
    @Order(4)
    void aRevokedPatchIsRemovedAndItsReplacementApplied() throws IOException {
        pv("repo", "revoke", repo.toString(), "pv_version", "--reason", "slows down every read of /proc/version");
        pv("repo", "add", repo.toString(), patches.resolve("pv_cmdline_v2.ko").toString(), "--cumulative-level", "3");
        pv("repo", "sign", repo.toString(), "--key", oldKey.toString());
        config(List.of(live.urlFromVm()));
        ExecResult check = pvInVm("check");
        assertEquals(2, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("revoked live patch in use") && check.stdout().contains("slows down"),
                check.stdout());

        ExecResult upgrade = pvInVm("upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertTrue(upgrade.stdout().contains("removed revoked live patch pv_version"), upgrade.stdout());
        assertEquals("pv_cmdline_v2\n", vm.shOk("ls /sys/kernel/livepatch"), "v2 replaced pv_cmdline atomically");
        assertEquals(pristineVersion, vm.shOk("cat /proc/version"), "the revoked fix is gone from the kernel");
        ExecResult status = vm.patchvisor("status", "--state-dir", STATE);
        assertFalse(status.stdout().contains("pv_version"), "forgotten: " + status.stdout());
        assertEquals(0, pvInVm("check").exitCode());
    }

    @Test
    @Order(5)
    void aRotatedKeyIsLearnedOnceAndTheRetiredKeyIsRefusedAfterwards() throws Exception {
        pv("repo", "rotate-key", repo.toString(), "--old", oldKey.toString(), "--new", newKey.toString());
        config(List.of(live.urlFromVm()));
        ExecResult learn = pvInVm("check");
        assertEquals(0, learn.exitCode(), learn.stdout() + learn.stderr());
        assertTrue(vm.shOk("cat " + STATE + "/feed/state.json").contains("retiredKeys"), "the rotation is recorded");

        pv("repo", "sign", repo.toString(), "--key", newKey.toString());
        ExecResult newOnly = pvInVm("check");
        assertEquals(0, newOnly.exitCode(), "the new key alone now: " + newOnly.stdout() + newOnly.stderr());

        // Whoever still holds the retired key signs an index of their own: refused from now on.
        Path forged = work.resolve("forged");
        copyTree(repo, forged);
        Files.delete(forged.resolve("keys.json"));
        pv("repo", "sign", forged.toString(), "--key", oldKey.toString());
        try (PythonStaticServer attacker = PythonStaticServer.start(forged)) {
            config(List.of(attacker.urlFromVm()));
            ExecResult refused = pvInVm("check");
            assertEquals(3, refused.exitCode(), refused.stdout() + refused.stderr());
            assertTrue(refused.stderr().contains("retired"), refused.stderr());
        }

        // A host that never saw the rotation trusts only the old key, and refuses the new key's index alone.
        String fresh = "/var/lib/patchvisor/never-rotated";
        vm.writeFile("/tmp/fresh.conf", TestFeed.clientConfig(live.urlFromVm(), trustedOld, fresh)
                .getBytes(StandardCharsets.UTF_8));
        ExecResult missed = vm.patchvisor("check", "--config", "/tmp/fresh.conf");
        assertEquals(3, missed.exitCode(), missed.stdout() + missed.stderr());
        assertTrue(missed.stderr().contains("signed only by untrusted key"), missed.stderr());

        ExecResult removed = vm.patchvisor("remove", "--all", "--state-dir", STATE);
        assertEquals(0, removed.exitCode(), removed.stderr());
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static void config(List<String> repositories, String... extra) throws IOException {
        StringBuilder text = new StringBuilder("# written by FeedTrustIT\n");
        repositories.forEach(r -> text.append("repository = ").append(r).append('\n'));
        text.append("trusted-key = ").append(trustedOld).append("\nstate-dir = ").append(STATE).append('\n');
        for (String line : extra) {
            text.append(line).append('\n');
        }
        vm.writeFile(CONFIG, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static ExecResult pvInVm(String command, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(command, "--config", CONFIG));
        argv.addAll(List.of(args));
        return vm.patchvisor(argv.toArray(String[]::new));
    }

    private static String bundleId(String module) throws IOException {
        try (Stream<Path> files = Files.list(repo.resolve("bundles"))) {
            return files.map(f -> f.getFileName().toString().replace(".json", ""))
                    .filter(n -> n.startsWith(module + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundle of " + module));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    /** The real CLI on this machine, publisher side only: nothing here touches this machine's kernel. */
    private static String pv(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        return HostScripts.run(120, argv.toArray(String[]::new));
    }
}
