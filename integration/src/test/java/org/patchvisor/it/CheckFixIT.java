package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * The publisher's whole path on the real Debian kernel source: {@code build --check-fix} unpacks Debian's
 * linux-source tarball, prepares it with the kernel's own configuration, compiles fs/proc/version.c without and with
 * a real fix (examples/build/proc_version_banner/fix.patch), compares the two objects, builds the live patch that
 * carries the fix against the installed headers and publishes it; the feed is served over HTTP and
 * {@code patchvisor upgrade} inside the real-kernel VM applies it, after which /proc/version reads as the fixed
 * source prints it. Also: a fix the live patch does not cover (exit 19, nothing built or published), the units
 * compared as kbuild builds them (those including a changed header, one compiled inside another, one the
 * configuration leaves out), a fix that does not apply (exit 17), the klp-build backend on a source that predates
 * it (exit 17), a run killed while the tree is patched, and a second run at the same time (exit 7).
 */
class CheckFixIT {
    private static final Path EXAMPLE = HostScripts.projectRoot().resolve("examples/build/proc_version_banner");
    private static final Path SECRET_EXAMPLE = HostScripts.projectRoot().resolve("examples/build/proc_cmdline_secret");
    private static final String SECRET = "pv.secret=hunter2";
    private static KernelVm vm;
    private static Path work;
    private static Path cache;
    private static Path symbolMap;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void boot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireKernelSource();
        work = Files.createDirectories(HostScripts.targetDir("check-fix-it"));
        // A fresh cache each run: the test pays for unpacking and preparing the source as a first check does.
        cache = work.resolve("source-cache");
        HostScripts.deleteTree(cache);
        // pv.secret= is what the second example fix hides from /proc/cmdline.
        vm = KernelVm.boot(release, KernelVm.Options.defaults().withUserNetwork().withKernelArgs(SECRET));
        // Debian's System.map is a stub: the kernel's own kallsyms for the functions the fixes touch.
        symbolMap = work.resolve("kallsyms-excerpt");
        Files.writeString(symbolMap, vm.shOk("grep -E ' (version_proc_show|cmdline_proc_show|saved_command_line)$'"
                + " /proc/kallsyms"));
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void checkedFixIsBuiltPublishedAndUpgradedIntoTheKernel() throws Exception {
        String release = vm.release();
        String pristine = vm.shOk("cat /proc/version");
        assertTrue(pristine.contains("gcc"), "the stock banner names the compiler: " + pristine);
        Path repo = work.resolve("repo");
        Path key = work.resolve("feed.key");
        HostScripts.deleteTree(repo);
        Files.deleteIfExists(key);
        String trustedKey = TestFeed.keygen(key);
        Path ko = work.resolve("pv_version_banner.ko");
        Files.deleteIfExists(ko);

        HostCli.Result built = build(EXAMPLE.resolve("fix.patch"), "--out", ko.toString(), "--repo", repo.toString(),
                "--key", key.toString(), "--cve", "CVE-2099-0001", "--effective-version", release + "+banner",
                "--expires", "2d");
        assertEquals(0, built.exit(), built.out() + built.err());
        assertTrue(built.out().contains("check-fix: fix.patch against Linux "), built.out());
        assertTrue(built.out().contains("changed   fs/proc/version.o version_proc_show\n"), built.out());
        assertEquals(1, built.out().lines().filter(l -> l.startsWith("changed ")).count(), built.out());
        assertTrue(built.out().contains("check-fix: the live patch replaces every function the fix changed"),
                built.out());
        assertTrue(built.out().contains("published "), built.out());
        assertEquals("", built.err(), "nothing to warn about in a one-function fix");
        String index = Files.readString(repo.resolve("index.json"));
        assertTrue(index.contains("CVE-2099-0001") && index.contains(release + "+banner")
                && index.contains("version_proc_show"), index);
        assertTreePristine();

        try (RepoServer server = RepoServer.start(repo)) {
            String config = "/tmp/check-fix-it.conf";
            vm.writeFile(config, TestFeed.clientConfig("http://" + KernelVm.HOST_ADDRESS + ":" + server.port() + "/",
                    trustedKey, "/var/lib/patchvisor/check-fix-it").getBytes(StandardCharsets.UTF_8));
            ExecResult upgrade = vm.patchvisor("upgrade", "--config", config);
            assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
            assertTrue(upgrade.stdout().contains("applied: pv_version_banner"), upgrade.stdout());
            assertTrue(upgrade.stdout().contains(release + "+banner"), "the effective version: " + upgrade.stdout());
        }
        try {
            // What the fixed source prints: "%s version %s %s\n" of sysname, release and version.
            String expected = "Linux version " + release + " " + vm.shOk("uname -v");
            assertEquals(expected, vm.shOk("cat /proc/version"));
        } finally {
            vm.shOk("echo 0 > /sys/kernel/livepatch/pv_version_banner/enabled;"
                    + " for i in $(seq 1 300); do [ -e /sys/kernel/livepatch/pv_version_banner ] || break; sleep 0.1;"
                    + " done; rmmod pv_version_banner");
        }
        assertEquals(pristine, vm.shOk("cat /proc/version"));
    }

    @Test
    void fixWhoseLivePatchUsesAnUnexportedSymbolWorksInTheKernel() throws Exception {
        String pristine = vm.shOk("cat /proc/cmdline");
        assertTrue(pristine.contains(SECRET), pristine);
        Path ko = work.resolve("pv_cmdline_secret.ko");
        Files.deleteIfExists(ko);
        List<String> argv = new ArrayList<>(List.of("build", "--source", SECRET_EXAMPLE.toString(), "--kernel",
                vm.release(), "--symbol-map", symbolMap.toString(), "--check-fix",
                SECRET_EXAMPLE.resolve("fix.patch").toString(), "--source-cache", cache.toString(), "--out",
                ko.toString()));
        HostCli.Result built = HostCli.run(900, argv.toArray(String[]::new));
        assertEquals(0, built.exit(), built.out() + built.err());
        assertTrue(built.out().contains("changed   fs/proc/cmdline.o cmdline_proc_show\n"), built.out());
        assertTrue(built.out().contains("unexported symbols resolved by the livepatch core: saved_command_line"),
                built.out());

        vm.writeFile("/tmp/pv_cmdline_secret.ko", Files.readAllBytes(ko));
        ExecResult apply = vm.patchvisor("apply", "/tmp/pv_cmdline_secret.ko", "--state-dir",
                "/var/lib/patchvisor/check-fix-secret");
        assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
        try {
            // The livepatch core found saved_command_line in the kernel: the real command line, secret hidden.
            assertEquals(pristine.replace(SECRET, "pv.secret=***"), vm.shOk("cat /proc/cmdline"));
        } finally {
            ExecResult remove = vm.patchvisor("remove", "pv_cmdline_secret", "--state-dir",
                    "/var/lib/patchvisor/check-fix-secret");
            assertEquals(0, remove.exitCode(), remove.stdout() + remove.stderr());
        }
        assertEquals(pristine, vm.shOk("cat /proc/cmdline"));
        assertTreePristine();
    }

    @Test
    void livePatchThatMissesAChangedFunctionIsRefusedAndNothingIsBuilt() throws Exception {
        Path ko = work.resolve("uncovered.ko");
        Path repo = work.resolve("uncovered-repo");
        Files.deleteIfExists(ko);
        HostScripts.deleteTree(repo);
        Path key = work.resolve("uncovered.key");
        Files.deleteIfExists(key);
        TestFeed.keygen(key);
        HostCli.Result r = build(fixture("version-and-cmdline.patch"), "--out", ko.toString(),
                "--repo", repo.toString(), "--key", key.toString());
        assertEquals(19, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("changed   fs/proc/cmdline.o cmdline_proc_show\n"), r.out());
        assertTrue(r.out().contains("changed   fs/proc/version.o version_proc_show\n"), r.out());
        List<String> errors = r.err().lines().filter(l -> !l.startsWith("patchvisor build: warning: ")).toList();
        assertEquals(List.of("patchvisor: the live patch does not replace function(s) the fix changed: "
                + "cmdline_proc_show"), errors, r.err());
        assertTrue(r.err().contains("warning: fs/proc/cmdline.o proc_cmdline_init: init code"), r.err());
        assertFalse(Files.exists(ko), "no module built");
        assertFalse(Files.exists(repo), "nothing published");
        assertTreePristine();
    }

    @Test
    void unitsAreTheOnesKbuildBuildsAndTheOnesThatIncludeAChangedHeader() throws Exception {
        HostCli.Result r = build(fixture("units-kbuild-decides.patch"), "--out", work.resolve("units.ko").toString());
        assertEquals(19, r.exit(), r.out() + r.err());
        assertEquals(List.of("changed   fs/proc/fd.o proc_fd_link", "changed   fs/proc/fd.o seq_show",
                "changed   fs/proc/fd.o tid_fd_revalidate", "changed   kernel/sched/build_policy.o sched_rr_handler"),
                r.out().lines().filter(l -> l.startsWith("changed ")).sorted().toList(), r.out());
        assertTrue(r.out().contains("check-fix: kernel/sched/rt.c is compiled as part of "
                + "kernel/sched/build_policy.c: compared there\n"), r.out());
        assertTrue(r.err().contains("warning: the fix changes fs/proc/fd.h: compared with it the 2 unit(s) of this "
                + "kernel that include it directly (fs/proc/base.c, fs/proc/fd.c)"), r.err());
        assertTrue(r.err().contains("warning: fs/proc/task_nommu.c is not built for this kernel"), r.err());
        assertTrue(r.err().contains("the live patch does not replace function(s) the fix changed: proc_fd_link, "
                + "sched_rr_handler, seq_show, tid_fd_revalidate"), r.err());
        Path tree = cache.resolve(vm.release()).resolve("tree");
        assertTrue(Files.readString(tree.resolve("fs/proc/fd.h")).contains("return PROC_I(inode)->fd;"));
        assertTrue(Files.readString(tree.resolve("kernel/sched/rt.c"))
                .contains("sysctl_sched_rr_timeslice <= 0 ? RR_TIMESLICE :"));
        assertFalse(Files.exists(work.resolve("units.ko")), "no module built");
        assertTreePristine();
    }

    @Test
    void fixThatDoesNotApplyIsRefused() throws Exception {
        HostCli.Result r = build(fixture("stale-context.patch"), "--out", work.resolve("stale.ko").toString());
        assertEquals(17, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("patchvisor: stale-context.patch does not apply to the kernel source: "),
                r.err());
        assertTreePristine();
    }

    @Test
    void runKilledWhileTheTreeIsPatchedIsRepairedByTheNext() throws Exception {
        build(EXAMPLE.resolve("fix.patch"), "--out", work.resolve("warm.ko").toString());
        Path marker = cache.resolve(vm.release()).resolve("applied.patch");
        Path unit = cache.resolve(vm.release()).resolve("tree/fs/proc/version.c");
        List<String> argv = buildArgv(EXAMPLE.resolve("fix.patch"), "--out", work.resolve("killed.ko").toString());
        Process run = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(work.resolve("killed.log").toFile()).start();
        boolean seen = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (run.isAlive() && System.nanoTime() < deadline) {
            // Killed while the fix is really applied: the copy beside the tree and the patched unit both exist.
            if (Files.exists(marker) && Files.readString(unit).contains("do not hand out the toolchain")) {
                seen = true;
                break;
            }
            Thread.sleep(2);
        }
        run.descendants().forEach(ProcessHandle::destroyForcibly);
        run.destroyForcibly();
        run.waitFor(30, TimeUnit.SECONDS);
        assertTrue(seen, "the run was killed while the fix was applied: " + Files.readString(work.resolve("killed.log")));
        // Let whatever the killed run had started (a compiler, a reversing patch) finish before the next run.
        long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < quiet && ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains(cache.toString())).orElse(false))) {
            Thread.sleep(100);
        }

        HostCli.Result next = build(EXAMPLE.resolve("fix.patch"), "--out", work.resolve("after-kill.ko").toString());
        assertEquals(0, next.exit(), next.out() + next.err());
        assertTrue(next.out().contains("changed   fs/proc/version.o version_proc_show\n"), next.out());
        assertFalse(Files.exists(marker));
        assertTreePristine();
    }

    @Test
    void secondRunAtTheSameTimeIsLockedOut() throws Exception {
        build(EXAMPLE.resolve("fix.patch"), "--out", work.resolve("warm2.ko").toString());
        Path lockFile = cache.resolve(vm.release()).resolve("lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            assertTrue(held.isValid());
            HostCli.Result r = build(EXAMPLE.resolve("fix.patch"), "--out", work.resolve("locked.ko").toString());
            assertEquals(7, r.exit(), r.out() + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertTreePristine();
    }

    @Test
    void klpBuildIsRefusedOnASourceThatDoesNotCarryIt() throws Exception {
        // Debian 12's Linux 6.1 predates the kernel's own klp-build (6.19): refused as soon as the tree is held,
        // before anything is compared or built.
        Path out = work.resolve("klp.ko");
        HostCli.Result r = HostCli.run(900, "build", "--backend", "klp-build", "--kernel", vm.release(), "--name",
                "pv_banner", "--check-fix", EXAMPLE.resolve("fix.patch").toString(), "--source-cache",
                cache.toString(), "--out", out.toString());
        assertEquals(17, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().matches("patchvisor: the source of Linux 6\\.1\\.\\d+ has no "
                + "scripts/livepatch/klp-build \\(.*\\); use --backend patchvisor, or kpatch-build\n"), r.err());
        assertFalse(r.out().contains("check-fix:"), "nothing compared: " + r.out());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(cache.resolve(vm.release()).resolve("foreign-tool.running")));
        assertTreePristine();
    }

    /** The cached tree holds Debian's fs/proc/version.c, not a fixed one, whatever happened before. */
    private static void assertTreePristine() throws IOException {
        Path tree = cache.resolve(vm.release()).resolve("tree");
        assertTrue(Files.readString(tree.resolve("fs/proc/version.c")).contains("seq_printf(m, linux_proc_banner,"));
        assertTrue(Files.readString(tree.resolve("fs/proc/cmdline.c")).contains("seq_puts(m, saved_command_line);"));
    }

    private static HostCli.Result build(Path fix, String... more) throws IOException, InterruptedException {
        List<String> argv = buildArgv(fix, more);
        return HostCli.run(900, argv.subList(1, argv.size()).toArray(String[]::new));
    }

    private static List<String> buildArgv(Path fix, String... more) {
        List<String> argv = new ArrayList<>(List.of(HostScripts.projectRoot().resolve("bin/patchvisor").toString(),
                "build", "--source", EXAMPLE.toString(), "--kernel", vm.release(), "--symbol-map",
                symbolMap.toString(), "--check-fix", fix.toString(), "--source-cache", cache.toString()));
        argv.addAll(List.of(more));
        return argv;
    }

    private static Path fixture(String name) {
        return HostScripts.projectRoot().resolve("integration/src/test/resources/fixes").resolve(name);
    }
}
