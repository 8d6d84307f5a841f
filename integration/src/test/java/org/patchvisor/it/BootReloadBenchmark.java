package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * The boot-time cost of patchvisor-load.service in docs/BENCHMARKS.md. Not a test (its name keeps it out of the
 * default IT run): {@code ./mvnw -B -pl integration -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=BootReloadBenchmark -Dbench.rounds=3}. The installed package in a systemd VM (SystemdVm), rebooted
 * {@code rounds} times each with 0, 1 and 3 recorded patches; each figure is read from the journal's own
 * monotonic timestamps of the unit's "Starting" and "Finished" lines, and the median is reported.
 */
class BootReloadBenchmark {
    private static final Pattern STAMP = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)\\]");
    private static final List<String> PATCHES = List.of("pv_cmdline", "pv_version", "pv_execdomains");

    @Test
    void reloadTimes() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireSystemdVm();
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path patches = HostScripts.samplePatches(release);
        Path deb = HostScripts.projectRoot().resolve("integration/target/patchvisor.deb");
        Path work = Files.createTempDirectory(HostScripts.targetDir("bench"), "boot-reload-");

        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "kernel %s, %d boot(s) per row, median (all rounds) in ms%n%n"
                        + "| recorded patches | unit start → finish | kernel start → unit finished |%n|---|---|---|%n",
                release, rounds));
        try (SystemdVm host = SystemdVm.withNewDisk(work)) {
            host.boot(release);
            host.vm().shOk("rm -f /var/lib/man-db/auto-update");
            ok(host.vm().exec(Duration.ofSeconds(600), "dpkg", "-i", deb.toString()));
            int recorded = 0;
            for (int wanted : List.of(0, 1, 3)) {
                for (; recorded < wanted; recorded++) {
                    ok(host.vm().exec(Duration.ofSeconds(300), "patchvisor", "apply",
                            patches.resolve(PATCHES.get(recorded) + ".ko").toString()));
                }
                List<Long> unit = new ArrayList<>();
                List<Long> sinceKernel = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    host.reboot();
                    host.boot(release);
                    assertEquals(wanted, host.vm().shOk("ls /sys/kernel/livepatch").lines().count());
                    long[] span = span(host.journal("patchvisor-load.service", "short-monotonic"));
                    unit.add(span[1] - span[0]);
                    sinceKernel.add(span[1]);
                }
                table.append(String.format(Locale.ROOT, "| %d | %d (%s) | %d (%s) |%n", wanted, median(unit), unit,
                        median(sinceKernel), sinceKernel));
            }
        }
        Path report = HostScripts.targetDir("bench").resolve("boot-reload.md");
        Files.writeString(report, table.toString());
        System.out.println(table);
    }

    /** Milliseconds since the kernel started of the unit's "Starting" and "Finished" journal lines. */
    private static long[] span(String journal) {
        long start = -1;
        long finish = -1;
        for (String line : journal.lines().toList()) {
            Matcher m = STAMP.matcher(line);
            if (!m.find()) {
                continue;
            }
            long ms = Math.round(Double.parseDouble(m.group(1)) * 1000);
            if (line.contains("Starting patchvisor-load.service")) {
                start = ms;
            } else if (line.contains("Finished patchvisor-load.service")) {
                finish = ms;
            }
        }
        assertTrue(start >= 0 && finish >= start, "no Starting/Finished lines in:\n" + journal);
        return new long[] {start, finish};
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** Fails with the command's output unless it exited 0. */
    private static void ok(ExecResult result) {
        assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
    }
}
