package org.patchvisor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The apply-time benchmark of docs/BENCHMARKS.md. Not a test (its name keeps it out of the default IT run):
 * {@code ./mvnw -B -pl plugin,integration verify -Dit.test=HostApplyBenchmark -Dbench.rounds=7}.
 * In one VM and one run, alternating round by round, it applies the same module three ways:
 * patchvisor (split into JVM start, load, transition, verify), a shell {@code insmod} + 1 s poll loop (kpatch's
 * method), and a shell {@code insmod} + 10 ms poll loop (the kernel's own floor). Every figure is a median.
 */
class HostApplyBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void applyTimes() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        int rounds = Integer.getInteger("bench.rounds", 7);
        Path patches = HostScripts.samplePatches(release);
        String ko = patches.resolve("pv_cmdline.ko").toString();
        String pv = HostScripts.projectRoot().resolve("bin/patchvisor").toString();

        List<Long> pvWall = new ArrayList<>();
        List<Long> jvm = new ArrayList<>();
        List<Long> load = new ArrayList<>();
        List<Long> transition = new ArrayList<>();
        List<Long> verify = new ArrayList<>();
        List<Long> body = new ArrayList<>();
        List<Long> kpatchWay = new ArrayList<>();
        List<Long> floor = new ArrayList<>();
        try (KernelVm vm = KernelVm.boot(release)) {
            vm.shOk(pv + " --version"); // warm the page cache once, as a second run on a host would be
            for (int i = 0; i < rounds; i++) {
                String out = vm.shOk("s=$(date +%s%N); " + pv + " apply --json --state-dir /tmp/bench " + ko
                        + " >/tmp/pv.json; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))");
                pvWall.add(Long.parseLong(out.strip()));
                JsonNode t = JSON.readTree(vm.shOk("cat /tmp/pv.json")).get("timings");
                jvm.add(t.get("jvmStartMs").asLong());
                load.add(t.get("loadMs").asLong());
                transition.add(t.get("transitionMs").asLong());
                verify.add(t.get("verifyMs").asLong());
                body.add(t.get("totalMs").asLong());
                vm.shOk(pv + " remove --state-dir /tmp/bench pv_cmdline");

                kpatchWay.add(shellApply(vm, ko, "1"));
                floor.add(shellApply(vm, ko, "0.01"));
            }
        }
        long pvTool = median(pvWall) - median(jvm);
        String table = String.format(Locale.ROOT, """
                | method (median of %d, same VM, same run) | wall ms |
                |---|---|
                | patchvisor apply, whole command | %d |
                | — of which JVM start to first line | %d |
                | — load (finit_module) | %d |
                | — transition wait (10 ms poll) | %d |
                | — verify | %d |
                | — command body, first line to result (checks, lock, journal, store, JSON, the three above) | %d |
                | patchvisor apply without JVM start | %d |
                | shell insmod + 1 s poll (kpatch's method) | %d |
                | shell insmod + 10 ms poll (the kernel's floor) | %d |
                | patchvisor beyond the kernel's floor (without JVM start) | %d |
                """, rounds, median(pvWall), median(jvm), median(load), median(transition), median(verify), median(body), pvTool,
                median(kpatchWay), median(floor), pvTool - median(floor));
        System.out.println(table);
        Path report = HostScripts.targetDir("bench").resolve("host-apply.md");
        Files.writeString(report, "kernel " + release + "\n\n" + table);
        System.out.println("written to " + report);
    }

    /** insmod, then poll `transition` at the given interval until 0; returns wall ms. Cleans up after. */
    private static long shellApply(KernelVm vm, String ko, String interval) throws IOException {
        String out = vm.shOk("s=$(date +%s%N); insmod " + ko + "; while [ \"$(cat /sys/kernel/livepatch/pv_cmdline/"
                + "transition)\" != 0 ]; do sleep " + interval + "; done; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))");
        vm.shOk("echo 0 > /sys/kernel/livepatch/pv_cmdline/enabled; while [ -e /sys/kernel/livepatch/pv_cmdline ];"
                + " do sleep 0.05; done; rmmod pv_cmdline");
        return Long.parseLong(out.strip());
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
