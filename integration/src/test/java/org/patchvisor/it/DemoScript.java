package org.patchvisor.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the README's demo scripts as a user runs it (the jar is already built by this Maven run), its
 * output captured in a log under target/, so a test can hold the demo to what it shows.
 */
final class DemoScript {

    /** How a demo ended: whether it finished in time, its exit code, and all it printed. */
    record Run(boolean finished, int exit, String output) {
    }

    private DemoScript() {
    }

    static Run run(String script, String logDir, int minutes, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path log = HostScripts.targetDir(logDir).resolve("demo.log");
        ProcessBuilder demo = new ProcessBuilder("sh", HostScripts.projectRoot().resolve(script).toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        demo.environment().put("PATCHVISOR_DEMO_BUILT", "1");
        demo.environment().putAll(environment);
        Process p = demo.start();
        boolean finished = p.waitFor(minutes, TimeUnit.MINUTES);
        if (!finished) {
            // SIGTERM first: a script's trap cleans up what it started; then whatever is left.
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
        return new Run(finished, finished ? p.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
    }
}
