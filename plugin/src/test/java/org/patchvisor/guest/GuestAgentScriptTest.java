package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-guest agent parsed by the shells it must run on, and its argument checks run for real. Only paths
 * that stop before touching any kernel are run here: this machine's kernel is never patched.
 */
class GuestAgentScriptTest {

    private static Path script() throws IOException {
        Path file = Files.createTempFile("pv-guest-agent", ".sh");
        Files.write(file, GuestPatcher.agentScript());
        file.toFile().deleteOnExit();
        return file;
    }

    private static Path shell(String name) {
        Path path = Path.of(name);
        Assumptions.assumeTrue(Files.isExecutable(path), name + " is not installed");
        return path;
    }

    private static List<String> run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return List.of(Integer.toString(p.exitValue()), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash", "/bin/busybox"})
    void parsesOnEveryShell(String shellPath) throws Exception {
        Path sh = shell(shellPath);
        List<String> argv = new ArrayList<>(List.of(sh.toString()));
        if (shellPath.endsWith("busybox")) {
            argv.add("sh");
        }
        argv.addAll(List.of("-n", script().toString()));
        List<String> result = run(argv.toArray(String[]::new));
        assertEquals("0", result.get(0), result.get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/busybox"})
    void badArgumentsGiveOneJsonFailure(String shellPath) throws Exception {
        Path sh = shell(shellPath);
        String prefix = shellPath.endsWith("busybox") ? "sh" : null;
        for (String[] args : new String[][] {{"/nonexistent.ko", "../evil", "5"}, {"/nonexistent.ko", "pv_x", "soon"},
                {"--remove", "a b", "5"}, {"only-one"}}) {
            List<String> argv = new ArrayList<>(List.of(sh.toString()));
            if (prefix != null) {
                argv.add(prefix);
            }
            argv.add(script().toString());
            argv.addAll(List.of(args));
            List<String> result = run(argv.toArray(String[]::new));
            assertEquals("1", result.get(0), result.get(1));
            assertEquals(1, result.get(1).lines().count(), result.get(1));
            AgentReport report = AgentReport.parse(result.get(1));
            assertEquals(AgentReport.Result.FAILED, report.result());
        }
    }
}
