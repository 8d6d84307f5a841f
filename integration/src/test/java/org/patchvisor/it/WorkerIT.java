package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The event-driven path end to end: {@code patchvisor hook install} puts the real hook into
 * {@code /etc/libvirt/hooks}, the real libvirtd is restarted to read it, a signed feed is published into a directory
 * repository with the real CLI, and {@code patchvisor worker} runs as a background process. Guests started after
 * the patch is published are queued by the hook and patched by the worker without any other command; the worker
 * killed with SIGKILL mid-queue and started again still patches every guest exactly once. Checked from inside the
 * guests. Whatever was in the hook directory before is put back, and libvirtd is restarted without our hook.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerIT {
    private static final String MARK = "patchvisor: live patch pv_cmdline active";
    private static final Path HOOKS = Path.of("/etc/libvirt/hooks");
    private static final long PATCH_BOUND_SECONDS = 300;

    private static LibvirtGuests.Lane lane;
    private static LibvirtGuests guests;
    private static Path work;
    private static Path spool;
    private static Path config;
    private static String prefix;
    private static HookDirSnapshot savedHooks;
    private static boolean hookInstalled;
    private static Process worker;
    private static int workerRuns;

    @BeforeAll
    static void installHookAndPublish() throws Exception {
        long start = System.nanoTime();
        lane = LibvirtGuests.prepareLane();
        prefix = "pvwk" + ProcessHandle.current().pid() + "-";
        work = Files.createTempDirectory(HostScripts.targetDir("worker-it"), prefix);
        spool = work.resolve("spool");
        guests = new LibvirtGuests(work);

        savedHooks = HookDirSnapshot.take(HOOKS);
        hookInstalled = true;
        String installed = HostCli.ok(60, "hook", "install", "--spool", spool.toString());
        assertTrue(installed.contains(HOOKS.resolve("qemu.d/patchvisor").toString()), installed);
        restartLibvirtd();

        Path patches = HostScripts.samplePatches(lane.generic());
        TestFeed feed = TestFeed.create(work);
        feed.add(patches.resolve("pv_cmdline.ko"), "--cumulative-level", "1");
        feed.sign();
        config = work.resolve("patchvisor.conf");
        Files.writeString(config, feed.clientConfig(feed.repo.toString(), work.resolve("state")));
        System.out.printf("worker lane: hook installed, libvirtd restarted, feed published in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        stopWorker();
        if (guests != null) {
            guests.close();
        }
        if (hookInstalled) {
            HostCli.Result r;
            try {
                r = HostCli.run(60, "hook", "uninstall");
            } finally {
                try {
                    savedHooks.restore();
                } finally {
                    restartLibvirtd();
                }
            }
            assertEquals(0, r.exit(), r.err() + r.out());
        }
    }

    @Test
    @Order(1)
    void aGuestStartedAfterThePatchIsPublishedIsPatchedByTheWorker() throws Exception {
        startWorker();
        String g1 = prefix + "g1";
        long start = System.nanoTime();
        guests.start(g1, lane.generic(), lane.initGeneric(), true);
        awaitOrFail(30, () -> queued(g1) > 0 || workerLog().contains("guest " + g1 + ":"),
                "the hook queued no event for " + g1);
        awaitOrFail(PATCH_BOUND_SECONDS, () -> queued(g1) == 0 && reported(g1), g1 + " still queued");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(workerLog().contains("patchvisor worker: guest " + g1 + ": applied [1 event(s)]"), workerLog());
        assertPatchedOnce(g1);
        System.out.printf("worker lane: %s started, queued by the hook and patched by the worker in %d ms%n", g1, ms);
    }

    @Test
    @Order(2)
    void aWorkerKilledMidQueueAndRestartedPatchesEveryGuestOnce() throws Exception {
        List<String> more = List.of(prefix + "g2", prefix + "g3");
        assertTrue(Files.isRegularFile(HOOKS.resolve("qemu.d/patchvisor")),
                "our hook is gone from " + HOOKS + ": something else ran 'patchvisor hook uninstall' meanwhile");
        for (String g : more) {
            guests.start(g, lane.generic(), lane.initGeneric(), true);
        }
        awaitOrFail(30, () -> more.stream().allMatch(g -> queued(g) > 0), "the hook did not queue " + more);
        // The worker is now waiting for the first new guest's agent: nothing of this queue is patched yet.
        String before = workerLog();
        worker.destroyForcibly();
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker did not die on SIGKILL");
        assertEquals(137, worker.exitValue(), "killed by SIGKILL");
        for (String g : more) {
            assertEquals(1, queued(g), g + ": a killed worker loses nothing queued; log:\n" + before);
            assertTrue(!before.contains("guest " + g + ": applied"), "killed too late, " + g + " done:\n" + before);
        }

        long start = System.nanoTime();
        startWorker();
        awaitOrFail(PATCH_BOUND_SECONDS, () -> more.stream().allMatch(g -> queued(g) == 0 && reported(g)),
                more + " still queued");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String log = workerLog();
        for (String g : more) {
            assertEquals(1, count(log, "patchvisor worker: guest " + g + ": applied"), log);
            assertPatchedOnce(g);
        }
        assertPatchedOnce(prefix + "g1");
        List<String> left = ownEvents();
        assertEquals(List.of(), left, "the spool ends empty of this test's guests");
        System.out.printf("worker lane: worker killed with 2 guests queued, restarted, both patched in %d ms%n", ms);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static void assertPatchedOnce(String guest) throws IOException {
        assertEquals(MARK + "\n", guests.exec(guest, "cat", "/proc/cmdline"), guest);
        String modules = guests.exec(guest, "cat", "/proc/modules");
        assertEquals(1, count(modules, "\npv_cmdline ") + (modules.startsWith("pv_cmdline ") ? 1 : 0), modules);
        assertEquals("pv_cmdline\n", guests.exec(guest, "ls", "/sys/kernel/livepatch"), guest);
    }

    private static void startWorker() throws IOException {
        workerRuns++;
        Path log = work.resolve("worker-" + workerRuns + ".log");
        List<String> argv = new ArrayList<>(List.of(HostScripts.projectRoot().resolve("bin/patchvisor").toString(),
                "worker", "--config", config.toString(), "--spool", spool.toString(), "--poll", "1s",
                "--agent-wait", "240s", "--guest-timeout", "120s", "-c", LibvirtGuests.URI,
                // Other tests' guests may start while our hook is in: this worker only patches ours.
                "--only", prefix + "*"));
        worker = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void stopWorker() throws InterruptedException {
        if (worker != null && worker.isAlive()) {
            worker.destroyForcibly();
            worker.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Every worker run's output so far, in order. */
    private static String workerLog() {
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= workerRuns; i++) {
            try {
                all.append(Files.readString(work.resolve("worker-" + i + ".log"), StandardCharsets.UTF_8));
            } catch (IOException e) {
                all.append("(worker-").append(i).append(".log unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return all.toString();
    }

    /** Whether the worker has printed a final result for {@code guest} (its events leave the spool after that). */
    private static boolean reported(String guest) {
        return workerLog().lines().anyMatch(l -> l.startsWith("patchvisor worker: guest " + guest + ": ")
                && !l.contains("(kept for retry)"));
    }

    /** How many events the spool holds for {@code guest}. */
    private static int queued(String guest) {
        try {
            return (int) events().stream().filter(e -> e.getValue().equals(guest)).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> ownEvents() throws IOException {
        return events().stream().map(Map.Entry::getValue).filter(g -> g.startsWith(prefix)).toList();
    }

    /**
     * (event file, guest) for every complete event in the spool, read the way an administrator would: the hook
     * writes the name hex-encoded ({@code guest-hex=}, e.g. {@code xxd -r -p} turns it back).
     */
    private static List<Map.Entry<Path, String>> events() throws IOException {
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        List<Map.Entry<Path, String>> events = new ArrayList<>();
        try (Stream<Path> files = Files.list(spool)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".event")).toList()) {
                try {
                    Files.readAllLines(f).stream().filter(l -> l.startsWith("guest-hex=")).findFirst()
                            .ifPresent(l -> events.add(Map.entry(f, new String(java.util.HexFormat.of()
                                    .parseHex(l.substring("guest-hex=".length())), StandardCharsets.UTF_8))));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // Removed by the worker while listing.
                }
            }
        }
        return events;
    }

    private static void awaitOrFail(long seconds, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " after " + seconds + " s; worker log:\n" + workerLog()
                        + "serial logs in " + work);
            }
            Thread.sleep(200);
        }
    }

    /**
     * libvirtd reads its hook directories at start: stop the running daemon (by its pid) and start it again with
     * the lane's script. Running guests survive a daemon restart.
     */
    private static void restartLibvirtd() throws IOException, InterruptedException {
        String pids = HostScripts.run(10, "sh", "-c", "pidof libvirtd || true").strip();
        for (String pid : pids.isEmpty() ? new String[0] : pids.split("\\s+")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("libvirtd (pid " + pid + ") did not stop within 30 s", e);
                }
            });
        }
        HostScripts.run(60, HostScripts.projectRoot().resolve("integration/vm/start-libvirtd.sh").toString());
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
