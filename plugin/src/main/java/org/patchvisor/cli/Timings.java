package org.patchvisor.cli;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.patchvisor.kernel.ApplyReport;

/** The step timings a --json apply reports, including how long the JVM took to get to our first line. */
final class Timings {
    private Timings() {
    }

    static Map<String, Long> of(long commandStartMs, ApplyReport r) {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("jvmStartMs", commandStartMs - ManagementFactory.getRuntimeMXBean().getStartTime());
        t.put("loadMs", r.loadMillis());
        t.put("transitionMs", r.transitionMillis());
        t.put("verifyMs", r.verifyMillis());
        t.put("totalMs", System.currentTimeMillis() - commandStartMs);
        return t;
    }
}
