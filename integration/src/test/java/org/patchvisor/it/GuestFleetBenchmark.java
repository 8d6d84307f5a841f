package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guest-fleet benchmark of docs/BENCHMARKS.md. Not a test (its name keeps it out of the default IT run):
 * {@code ./mvnw -B -o -pl integration -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=GuestFleetBenchmark -Dbench.rounds=3}. Four real TCG guests under the real libvirtd (two on the generic
 * Debian kernel, two on the cloud kernel); in one run, round by round, pv_cmdline is put into all four three ways:
 * {@code upgrade --guests --max-parallel 4 --canary 0}; the same command once per guest ({@code --only}), of which
 * the slowest is "the slowest single guest alone"; and a serial loop of {@code virsh qemu-agent-command} calls
 * (guest-file-open/write/close in 48 KiB chunks, guest-exec insmod, poll {@code transition} until 0). Every figure
 * is a median over the rounds; the patch is taken out between methods.
 */
class GuestFleetBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 48 * 1024;

    @Test
    void fleetVersusSerialAgentLoop() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 3);
        LibvirtGuests.Lane lane = LibvirtGuests.prepareLane();
        String prefix = "pvbench" + ProcessHandle.current().pid() + "-";
        List<String> names = List.of(prefix + "cloud1", prefix + "cloud2", prefix + "gen1", prefix + "gen2");
        Path work = Files.createTempDirectory(HostScripts.targetDir("fleet-bench"), prefix);
        try (LibvirtGuests guests = new LibvirtGuests(work)) {
            for (String g : names) {
                boolean cloud = g.contains("cloud");
                guests.start(g, cloud ? lane.cloud() : lane.generic(), cloud ? lane.initCloud() : lane.initGeneric(),
                        true);
            }
            Path generic = HostScripts.samplePatches(lane.generic()).resolve("pv_cmdline.ko");
            Path cloud = HostScripts.samplePatches(lane.cloud()).resolve("pv_cmdline.ko");
            Path config = publish(work, generic, cloud);
            guests.awaitAgents(names, 240);
            try (RepoServer server = RepoServer.start(work.resolve("repo"))) {
                Files.writeString(config, Files.readString(config).replace("@URL@", server.url()));
                fleet(config, List.of()); // warm-up: fills the bundle cache and the page cache
                unpatch(guests, names);

                List<Long> fleetWall = new ArrayList<>();
                List<Long> fleetRollout = new ArrayList<>();
                List<Long> slowestSingle = new ArrayList<>();
                List<Long> serial = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    long[] fleet = fleet(config, List.of("--max-parallel", "4", "--canary", "0"));
                    fleetWall.add(fleet[0]);
                    fleetRollout.add(fleet[1]);
                    unpatch(guests, names);

                    long slowest = 0;
                    for (String g : names) {
                        slowest = Math.max(slowest, fleet(config, List.of("--only", g, "--canary", "0"))[0]);
                        unpatch(guests, List.of(g));
                    }
                    slowestSingle.add(slowest);

                    long start = System.nanoTime();
                    for (String g : names) {
                        serialAgentApply(guests, g, g.contains("cloud") ? cloud : generic);
                    }
                    serial.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    unpatch(guests, names);
                }
                report(rounds, median(fleetWall), median(fleetRollout), median(slowestSingle), median(serial));
            }
        }
    }

    /** One {@code upgrade --guests} run that must patch every selected guest; returns {process wall, rollout wall}. */
    private static long[] fleet(Path config, List<String> options) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("upgrade", "--guests", "-c", LibvirtGuests.URI, "--config",
                config.toString(), "--json"));
        argv.addAll(options);
        long start = System.nanoTime();
        HostCli.Result run = HostCli.run(300, argv.toArray(String[]::new));
        long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, run.exit(), run.err() + run.out());
        JsonNode report = JSON.readTree(run.out());
        report.path("guests").forEach(row -> {
            String state = row.path("state").asText();
            if (!state.equals("applied") && !state.equals("skipped")) {
                throw new AssertionError("unexpected " + state + ": " + run.out());
            }
        });
        return new long[] {wall, report.path("wallMs").asLong()};
    }

    /**
     * The same steps patchvisor takes per guest, with virsh alone: identify the kernel (osinfo, build-id note),
     * check live-patch support and signature enforcement, copy, insmod, poll the transition, verify, clean up.
     */
    private static void serialAgentApply(LibvirtGuests guests, String guest, Path module) throws IOException {
        guests.agent(guest, "{\"execute\":\"guest-get-osinfo\"}", 30);
        guests.exec(guest, "cat", "/sys/kernel/notes");
        guests.exec(guest, "/bin/sh", "-c", "test -d /sys/kernel/livepatch && cat /sys/module/module/parameters/sig_enforce"
                + " && ls /sys/kernel/livepatch");
        byte[] bytes = Files.readAllBytes(module);
        String target = "/tmp/pv_cmdline.ko";
        long handle = guests.agent(guest, "{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"" + target
                + "\",\"mode\":\"w\"}}", 30).asLong();
        for (int off = 0; off < bytes.length; off += CHUNK) {
            byte[] chunk = java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + CHUNK));
            guests.agent(guest, "{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":" + handle
                    + ",\"buf-b64\":\"" + Base64.getEncoder().encodeToString(chunk) + "\"}}", 30);
        }
        guests.agent(guest, "{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":" + handle + "}}", 30);
        guests.exec(guest, "/bin/sh", "-c", "insmod " + target);
        while (!guests.exec(guest, "cat", "/sys/kernel/livepatch/pv_cmdline/transition").strip().equals("0")) {
            // Each round trip through virsh and the agent already takes a few hundred ms under TCG.
        }
        if (!guests.exec(guest, "cat", "/sys/kernel/livepatch/pv_cmdline/enabled").strip().equals("1")
                || !guests.exec(guest, "cat", "/proc/cmdline").contains("pv_cmdline active")) {
            throw new AssertionError(guest + ": pv_cmdline is loaded but not active");
        }
        guests.exec(guest, "rm", "-f", target);
    }

    private static void unpatch(LibvirtGuests guests, List<String> names) throws IOException {
        for (String g : names) {
            guests.exec(g, "/bin/sh", "-c", "echo 0 > /sys/kernel/livepatch/pv_cmdline/enabled;"
                    + " while [ -e /sys/kernel/livepatch/pv_cmdline ]; do sleep 0.1; done; rmmod pv_cmdline;"
                    + " rm -f /tmp/pv_cmdline.ko");
        }
    }

    private static Path publish(Path work, Path generic, Path cloud) throws IOException {
        TestFeed feed = TestFeed.create(work);
        feed.add(generic);
        feed.add(cloud);
        feed.sign();
        Path config = work.resolve("patchvisor.conf");
        Files.writeString(config, feed.clientConfig("@URL@", work.resolve("state")));
        return config;
    }

    private static void report(int rounds, long fleetWall, long fleetRollout, long slowest, long serial)
            throws IOException {
        String table = String.format(Locale.ROOT, """
                | 4 TCG guests, pv_cmdline (median of %d rounds, same run) | wall ms |
                |---|---|
                | `upgrade --guests --max-parallel 4 --canary 0` (whole command) | %d |
                | of which the rollout itself (report `wallMs`) | %d |
                | slowest single guest alone (`upgrade --guests --only NAME`) | %d |
                | serial `virsh qemu-agent-command` loop (identify, check, copy, insmod, poll, verify) | %d |
                | fleet / slowest single | %.2f |
                | serial loop / fleet | %.2f |
                """, rounds, fleetWall, fleetRollout, slowest, serial, (double) fleetWall / slowest,
                (double) serial / fleetWall);
        System.out.println(table);
        Path out = HostScripts.targetDir("bench").resolve("guest-fleet.md");
        Files.writeString(out, table, StandardCharsets.UTF_8);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
