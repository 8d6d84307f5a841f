package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * The installed product the way a host runs it: patchvisor.deb installed with dpkg in a VM that runs this machine's
 * real systemd as PID 1 from a persistent disk, rebooted between steps. Every claim is read from systemd's and
 * the kernel's own view: {@code systemctl show}, the journal, sysfs. The tests run in order on one disk: each
 * starts from the state the previous one left, as one host lives through them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdHostIT {
    private static final String CMDLINE_MARK = "patchvisor: live patch pv_cmdline active";
    private static final String CONF = "/etc/patchvisor/patchvisor.conf";
    private static final String ADMIN_EDIT = "# edited by the administrator of this host";
    private static final String TIMER_DROP_IN = "/etc/systemd/system/patchvisor-upgrade.timer.d/soon.conf";
    private static final String FEED_UNIT = "/etc/systemd/system/pv-feed.service";
    private static final Duration TIMER_RUN_TIMEOUT = Duration.ofSeconds(420);
    /** README's exit code for a transition that did not finish in time (the patch was reverted). */
    private static final int EXIT_TRANSITION_TIMEOUT = 6;
    private static final String GUEST_UUID = "5f1c3a7e-2b4d-4c8e-9a0f-1d2e3f405162";

    private static String release;
    private static String cloud;
    private static Path work;
    private static Path patches;
    private static Path deb;
    private static Path newerDeb;
    private static TestFeed feed;
    private static SystemdVm host;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> host == null ? null : host.current());

    @BeforeAll
    static void packageFeedAndDisk() throws Exception {
        Components components = Components.onThisMachine();
        release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireDpkgAsRoot();
        components.requireSystemdVm();
        cloud = components.requireCloudRelease();
        components.requireVmLane(cloud);
        deb = HostScripts.projectRoot().resolve("integration/target/patchvisor.deb");
        assertTrue(Files.isRegularFile(deb), deb + " is built by the package phase");
        patches = HostScripts.samplePatches(release);

        // Made before the VM boots, so its overlay sees them as it sees any other file of this machine.
        work = Files.createTempDirectory(HostScripts.targetDir("systemd-it"), "run-");
        newerDeb = work.resolve("patchvisor-newer.deb");
        repackWithHigherVersion(deb, newerDeb);
        // Two snapshots of one feed, served at /a/ and /b/: the cumulative level 2, then a level 3 whose transition
        // can never finish (pv_stuck), for stopping an apply half-way.
        feed = TestFeed.create(work.resolve("publisher"));
        feed.add(patches.resolve("pv_cmdline_v2.ko"), "--cumulative-level", "2", "--cve", "CVE-2024-1086");
        feed.sign();
        copyTree(feed.repo, work.resolve("served/a"));
        feed.add(patches.resolve("pv_stuck.ko"), "--cumulative-level", "3");
        feed.sign();
        copyTree(feed.repo, work.resolve("served/b"));
        // And the publisher's answer to level 3: revoked, so level 2 is the newest again (for the playbook).
        HostCli.ok(120, "repo", "revoke", feed.repo.toString(), "pv_stuck", "--reason", "its transition never finishes");
        feed.sign();
        copyTree(feed.repo, work.resolve("served/c"));
        Files.writeString(work.resolve("fleet.ini"), "[canary]\nthis-host ansible_connection=local"
                + " ansible_python_interpreter=/usr/bin/python3\n\n[fleet]\n\n[patchvisor:children]\ncanary\nfleet\n");
        Files.writeString(work.resolve("fleet.json"), "{\"patchvisor_deb\": \"" + deb + "\", "
                + "\"patchvisor_repository\": \"http://127.0.0.1:8080/c/\", "
                + "\"patchvisor_trusted_keys\": [\"" + feed.trustedKey + "\"]}");

        host = SystemdVm.withNewDisk(work);
        host.boot(release);
    }

    @AfterAll
    static void shutDown() throws IOException {
        if (host != null) {
            host.close();
        }
        if (work != null) {
            Files.deleteIfExists(work.resolve("disk.img"));
        }
    }

    @Test
    @Order(1)
    void anAppliedPatchIsBackAfterARebootBeforeTheNetworkWithNothingDownloaded() throws IOException {
        KernelVm vm = host.vm();
        assertEquals("qemu", vm.sh("systemd-detect-virt").stdout().strip(), "systemd knows it runs in a VM");
        // This machine's own root may have the package: start from a host that never had it.
        vm.sh("dpkg --purge patchvisor");
        // Debian's switch for man-db's trigger (what debconf's man-db/auto-update sets): re-indexing every manual
        // page under TCG costs minutes per dpkg run and is no part of what is tested.
        vm.shOk("rm -f /var/lib/man-db/auto-update");
        ExecResult install = vm.exec(Duration.ofSeconds(600), "dpkg", "-i", deb.toString());
        assertEquals(0, install.exitCode(), install.stdout() + install.stderr());
        assertEquals("enabled", vm.sh("systemctl is-enabled patchvisor-load.service").stdout().strip(),
                "the boot reload is enabled by the package");
        vm.shOk("printf '%s\\n' '" + ADMIN_EDIT + "' > " + CONF + " && printf '%s' '"
                + feed.clientConfig("http://127.0.0.1:8080/a/", "/var/lib/patchvisor") + "' >> " + CONF);
        // The feed this host checks, on its own loopback: a plain static web server, ready (listening) before an
        // upgrade run starts.
        vm.writeFile(FEED_UNIT, String.join("\n", "[Unit]", "Description=Test feed on the loopback",
                "Before=patchvisor-upgrade.service", "[Service]",
                "ExecStart=/usr/bin/python3 -m http.server 8080 --bind 127.0.0.1 --directory " + work.resolve("served"),
                "ExecStartPost=/usr/bin/python3 -c \"import socket, time; [time.sleep(0.2) for _ in iter(lambda:"
                        + " socket.socket().connect_ex(('127.0.0.1', 8080)), 0)]\"",
                "[Install]", "WantedBy=multi-user.target", "").getBytes(StandardCharsets.UTF_8));

        ExecResult apply = vm.exec(Duration.ofSeconds(300), "patchvisor", "apply",
                patches.resolve("pv_cmdline.ko").toString());
        assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));

        host.reboot();
        host.boot(release);
        vm = host.vm();
        Map<String, String> load = host.show("patchvisor-load.service", "ActiveState", "SubState", "Result",
                "ExecMainStatus", "ExecMainStartTimestampMonotonic", "ExecMainExitTimestampMonotonic");
        assertEquals("active", load.get("ActiveState"), load.toString());
        assertEquals("exited", load.get("SubState"), load.toString());
        assertEquals("success", load.get("Result"), load.toString());
        assertEquals("0", load.get("ExecMainStatus"), load.toString());
        long reloaded = Long.parseLong(load.get("ExecMainExitTimestampMonotonic"));
        long networkPre = Long.parseLong(host.property("network-pre.target", "ActiveEnterTimestampMonotonic"));
        assertTrue(reloaded > 0 && networkPre >= reloaded,
                "reloaded at " + reloaded + " µs, network-pre.target reached at " + networkPre + " µs");
        System.out.printf("boot reload of 1 patch: %d ms (systemd's ExecMain start to exit)%n",
                (reloaded - Long.parseLong(load.get("ExecMainStartTimestampMonotonic"))) / 1000);

        assertEquals("1", vm.shOk("cat /sys/kernel/livepatch/pv_cmdline/enabled").strip());
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK));
        assertTrue(host.journal("patchvisor-load.service").contains("pv_cmdline loaded"),
                host.journal("patchvisor-load.service"));
        String status = vm.shOk("patchvisor status");
        assertTrue(status.contains("pv_cmdline"), status);
    }

    @Test
    @Order(2)
    void patchvisorSkipOnTheKernelCommandLineLoadsNothingAndTheUnitSaysWhy() throws IOException {
        host.reboot();
        host.boot(release, "patchvisor.skip");
        Map<String, String> load = host.show("patchvisor-load.service", "ActiveState", "ConditionResult");
        assertEquals("inactive", load.get("ActiveState"), load.toString());
        assertEquals("no", load.get("ConditionResult"), load.toString());
        String status = host.vm().sh("systemctl status patchvisor-load.service --no-pager").stdout();
        assertTrue(status.contains("ConditionKernelCommandLine=!patchvisor.skip was not met"), status);
        assertEquals("", host.vm().shOk("ls /sys/kernel/livepatch"), "no patch loaded");
    }

    @Test
    @Order(3)
    void theCloudKernelFromTheSameDiskLoadsNoneOfTheGenericKernelsPatches() throws IOException {
        host.reboot();
        host.boot(cloud);
        KernelVm vm = host.vm();
        assertEquals(cloud, vm.shOk("uname -r").strip());
        Map<String, String> load = host.show("patchvisor-load.service", "ActiveState", "Result", "ExecMainStatus");
        assertEquals("active", load.get("ActiveState"), load.toString());
        assertEquals("success", load.get("Result"), load.toString());
        assertEquals("0", load.get("ExecMainStatus"), load.toString());
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"), "the generic kernel's patch is not for this build-id");
        assertTrue(vm.shOk("patchvisor status").contains(cloud));
    }

    @Test
    @Order(4)
    void theUpgradeTimerAppliesTheNewestPatchFromTheFeed() throws IOException {
        KernelVm vm = host.vm();
        // The test's only change to the shipped timer: fire 40 s after boot, without the random spread.
        vm.shOk("mkdir -p " + Path.of(TIMER_DROP_IN).getParent() + " && printf '%s\\n' '[Timer]' 'OnBootSec='"
                + " 'OnBootSec=40s' 'RandomizedDelaySec=0' > " + TIMER_DROP_IN);
        vm.shOk("systemctl enable patchvisor-upgrade.timer pv-feed.service");
        host.reboot();
        host.boot(release);
        vm = host.vm();
        assertTrue(vm.shOk("cat /proc/cmdline").contains(CMDLINE_MARK), "the boot reload put level 1 back");
        // Nothing was downloaded for it: the reload had finished before the feed's server even started.
        long reloaded = Long.parseLong(host.property("patchvisor-load.service", "ExecMainExitTimestampMonotonic"));
        long feedStarted = Long.parseLong(host.property("pv-feed.service", "ExecMainStartTimestampMonotonic"));
        assertTrue(reloaded > 0 && feedStarted > reloaded, "reloaded at " + reloaded + " µs, feed up at " + feedStarted);

        Map<String, String> run = awaitUpgradeRun();
        assertEquals("success", run.get("Result"), run.toString());
        assertEquals("0", run.get("ExecMainStatus"), run.toString() + host.journal("patchvisor-upgrade.service"));
        String fired = host.property("patchvisor-upgrade.timer", "LastTriggerUSecMonotonic");
        assertFalse(fired.isEmpty() || "0".equals(fired), "the timer fired: " + fired);
        assertEquals("pv_cmdline_v2", vm.shOk("ls /sys/kernel/livepatch").strip(), "level 2 replaced level 1");
        assertTrue(vm.shOk("cat /proc/cmdline").contains("pv_cmdline_v2 active (cumulative)"));
        ExecResult check = vm.exec(Duration.ofSeconds(300), "patchvisor", "check");
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("up to date"), check.stdout());
    }

    @Test
    @Order(5)
    void theWorkerServiceComesBackAfterKill9AndLosesNoQueuedEvent() throws IOException {
        KernelVm vm = host.vm();
        assertEquals(0, vm.exec(Duration.ofSeconds(300), "patchvisor", "hook", "install").exitCode());
        vm.shOk("systemctl enable --now patchvisor-worker.service");
        awaitJournalLines("patchvisor-worker.service", "Started patchvisor-worker.service", 1);
        String firstPid = host.property("patchvisor-worker.service", "MainPID");
        assertTrue(Long.parseLong(firstPid) > 1, "the worker runs: " + firstPid);
        vm.shOk("kill -9 " + firstPid);
        // While systemd waits to restart it (RestartSec=), libvirtd starts a guest: the hook, synchronously, with
        // the domain XML on stdin, queues it for a worker that is not running.
        vm.shOk("printf '<domain><name>alpha</name><uuid>" + GUEST_UUID + "</uuid></domain>\\n'"
                + " | /etc/libvirt/hooks/qemu.d/patchvisor alpha started begin -");
        String queued = vm.shOk("ls /var/spool/patchvisor/events | grep '[.]event$'").strip();
        assertEquals(1, queued.lines().count(), queued);
        assertEquals(0, host.journal("patchvisor-worker.service").lines().filter(l -> l.contains("guest alpha")).count());

        host.await(Duration.ofSeconds(120), () -> {
            Map<String, String> restarted = host.show("patchvisor-worker.service", "ActiveState", "NRestarts");
            return "1".equals(restarted.get("NRestarts")) && "active".equals(restarted.get("ActiveState"));
        });
        Map<String, String> worker = host.show("patchvisor-worker.service", "ActiveState", "NRestarts", "MainPID");
        assertEquals("1", worker.get("NRestarts"), "systemd restarted the killed worker: " + worker);
        assertFalse(worker.get("MainPID").equals(firstPid), worker.toString());
        // The restarted worker finds the event and handles it (this VM has no guest of that name: what it decides
        // is the worker's rule, tested in WorkerIT; here, that the event reached a worker).
        awaitJournalLines("patchvisor-worker.service", "patchvisor worker: guest alpha:", 1);
        vm.shOk("systemctl disable --now patchvisor-worker.service");
    }

    @Test
    @Order(6)
    void anUpgradeStoppedHalfWayIsSettledByTheNextRun() throws IOException {
        KernelVm vm = host.vm();
        // The feed's next snapshot: level 3, a patch whose transition cannot finish, so the apply is still running.
        vm.shOk("sed -i 's#http://127.0.0.1:8080/a/#http://127.0.0.1:8080/b/#' " + CONF);
        vm.shOk("systemctl start --no-block patchvisor-upgrade.service");
        vm.exec(Duration.ofSeconds(300), "/bin/sh", "-c", "i=0; while [ \"$(cat /sys/kernel/livepatch/pv_stuck/"
                + "transition 2>/dev/null)\" != 1 ] && [ $i -lt 2400 ]; do sleep 0.1; i=$((i+1)); done");
        assertEquals("1", vm.shOk("cat /sys/kernel/livepatch/pv_stuck/transition").strip(), "the apply is under way");
        vm.shOk("systemctl stop patchvisor-upgrade.service");
        assertEquals("inactive", host.property("patchvisor-upgrade.service", "ActiveState"));
        assertEquals("1", vm.shOk("cat /sys/kernel/livepatch/pv_stuck/transition").strip(),
                "the stop left the kernel mid-transition");

        ExecResult next = vm.exec(Duration.ofSeconds(300), "patchvisor", "upgrade", "--timeout", "10s");
        assertTrue(next.stderr().contains("patchvisor upgrade: note: settled an interrupted apply of pv_stuck"),
                next.stdout() + next.stderr());
        assertEquals(EXIT_TRANSITION_TIMEOUT, next.exitCode(), "level 3 still cannot finish, and is reverted: " + next.stdout() + next.stderr());
        assertEquals("pv_cmdline_v2", vm.shOk("ls /sys/kernel/livepatch").strip(), "the kernel is as before the stop");
        assertEquals("", vm.sh("grep '^pv_stuck' /proc/modules").stdout(), "pv_stuck unloaded");
        assertTrue(vm.shOk("cat /var/lib/patchvisor/journal.jsonl").contains("\"phase\":\"RECONCILED\""));
    }

    @Test
    @Order(7)
    void aNewerPackageKeepsTheEditedConfigAndPurgeLeavesTheLoadedPatchesAndSaysSo() throws IOException {
        KernelVm vm = host.vm();
        ExecResult upgrade = vm.exec(Duration.ofSeconds(600), "dpkg", "-i", newerDeb.toString());
        assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
        assertTrue(vm.shOk("dpkg-query -W -f '${Version}' patchvisor").endsWith("+1"));
        assertTrue(vm.shOk("cat " + CONF).startsWith(ADMIN_EDIT), "the administrator's config is kept");
        assertEquals("enabled", vm.sh("systemctl is-enabled patchvisor-load.service").stdout().strip());
        assertEquals("enabled", vm.sh("systemctl is-enabled patchvisor-upgrade.timer").stdout().strip(),
                "the administrator's choice is kept");

        List<String> payload = vm.shOk("dpkg -L patchvisor").lines().filter(p -> !p.isBlank()).toList();
        ExecResult purge = vm.exec(Duration.ofSeconds(300), "dpkg", "--purge", "patchvisor");
        assertEquals(0, purge.exitCode(), purge.stdout() + purge.stderr());
        assertTrue((purge.stdout() + purge.stderr()).contains(
                "live patches stay loaded in the running kernel until it reboots: pv_cmdline_v2"),
                purge.stdout() + purge.stderr());
        assertEquals("pv_cmdline_v2", vm.shOk("ls /sys/kernel/livepatch").strip(), "the patch stays loaded");
        vm.shOk("systemctl daemon-reload");
        // (systemctl exits 1 when nothing matches: the listing is what counts.)
        assertEquals("", vm.sh("systemctl list-unit-files --no-legend 'patchvisor*'").stdout().strip(), "units gone");
        // Enablement links go; the drop-in the administrator wrote is theirs and stays.
        assertEquals("", vm.shOk("find /etc/systemd/system -type l -name 'patchvisor-*'").strip(), "enablement gone");
        assertTrue(vm.sh("[ -f " + TIMER_DROP_IN + " ]").ok());
        assertFalse(vm.sh("[ -e /etc/libvirt/hooks/qemu.d/patchvisor ]").ok(), "the hook is gone");
        for (String path : payload) {
            if (!vm.sh("[ -d '" + path + "' ]").ok()) {
                assertFalse(vm.sh("[ -e '" + path + "' ]").ok(), path + " left behind");
            }
        }
        for (String dir : List.of("/etc/patchvisor", "/usr/share/patchvisor", "/var/cache/patchvisor",
                "/var/spool/patchvisor", "/usr/share/doc/patchvisor")) {
            assertFalse(vm.sh("[ -e " + dir + " ]").ok(), dir + " left behind");
        }
        assertFalse(vm.shOk("ls /var/lib/patchvisor").isBlank(), "the records of what is loaded stay (documented)");
    }

    @Test
    @Order(8)
    void theFleetPlaybookInstallsConfiguresAndPatchesAndASecondRunChangesNothing() throws IOException {
        KernelVm vm = host.vm();
        // What a reboot does to the kernel once the package is gone (its records stay): nothing is loaded.
        vm.shOk("echo 0 > /sys/kernel/livepatch/pv_cmdline_v2/enabled; while [ -e /sys/kernel/livepatch/pv_cmdline_v2 ];"
                + " do sleep 0.2; done; rmmod pv_cmdline_v2");
        // A KVM host runs libvirtd; this VM's boot masked it with the rest of this machine's own services.
        vm.shOk("units=$(systemctl list-unit-files --no-legend --state=masked-runtime 'libvirt*' 'virtlo*'"
                + " | cut -d' ' -f1); systemctl unmask --runtime $units && systemctl start libvirtd.service");

        ExecResult first = playbook(vm);
        assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
        assertTrue(first.stdout().matches("(?s).*this-host\\s*: ok=\\d+\\s+changed=[1-9]\\d*\\s+unreachable=0\\s+failed=0.*"),
                first.stdout());
        assertEquals("pv_cmdline_v2", vm.shOk("ls /sys/kernel/livepatch").strip(), "the playbook's upgrade patched it");
        assertTrue(vm.shOk("cat " + CONF).contains("Managed by Ansible"));
        assertEquals("enabled", vm.sh("systemctl is-enabled patchvisor-upgrade.timer").stdout().strip());
        assertEquals("active", vm.sh("systemctl is-active patchvisor-worker.service").stdout().strip());

        ExecResult second = playbook(vm);
        assertEquals(0, second.exitCode(), second.stdout() + second.stderr());
        assertTrue(second.stdout().matches("(?s).*this-host\\s*: ok=\\d+\\s+changed=0\\s+unreachable=0\\s+failed=0.*"),
                "a second run changes nothing: " + second.stdout());
    }

    /** examples/ansible/patchvisor.yml as is, run inside the VM against itself (local connection). */
    private static ExecResult playbook(KernelVm vm) throws IOException {
        Path examples = HostScripts.projectRoot().resolve("examples/ansible");
        return vm.exec(Duration.ofSeconds(900), "/bin/sh", "-c", "cd " + examples + " && HOME=/root"
                + " ANSIBLE_NOCOLOR=1 ansible-playbook -i " + work.resolve("fleet.ini") + " -e @" + work.resolve("fleet.json")
                + " patchvisor.yml");
    }

    private static void awaitJournalLines(String unit, String text, int count) throws IOException {
        if (!host.await(Duration.ofSeconds(180),
                () -> host.journal(unit).lines().filter(l -> l.contains(text)).count() >= count)) {
            throw new AssertionError(count + " line(s) with '" + text + "' expected from " + unit + ":\n"
                    + host.journal(unit));
        }
    }

    private static Map<String, String> awaitUpgradeRun() throws IOException {
        String[] properties = {"ActiveState", "Result", "ExecMainStatus", "ExecMainExitTimestampMonotonic"};
        boolean ended = host.await(TIMER_RUN_TIMEOUT, () -> {
            Map<String, String> run = host.show("patchvisor-upgrade.service", properties);
            return !"0".equals(run.get("ExecMainExitTimestampMonotonic")) && !"activating".equals(run.get("ActiveState"));
        });
        if (ended) {
            return host.show("patchvisor-upgrade.service", properties);
        }
        throw new AssertionError("patchvisor-upgrade.service did not run within " + TIMER_RUN_TIMEOUT + ": "
                + host.vm().sh("systemctl list-timers --all --no-pager").stdout());
    }

    /** {@code deb} with its version raised, as the next build of the package would be. */
    private static void repackWithHigherVersion(Path deb, Path out) throws IOException {
        Path tree = work.resolve("repack");
        HostScripts.run(120, "dpkg-deb", "-R", deb.toString(), tree.toString());
        Path control = tree.resolve("DEBIAN/control");
        String text = Files.readString(control);
        Files.writeString(control, text.replaceFirst("(?m)^Version: (.*)$", "Version: $1+1"));
        HostScripts.run(120, "dpkg-deb", "--root-owner-group", "-b", tree.toString(), out.toString());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        HostScripts.run(60, "mkdir", "-p", to.getParent().toString());
        HostScripts.run(60, "cp", "-a", from.toString(), to.toString());
    }
}
