package org.patchvisor.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** bin/patchvisor run on this host, as an administrator would: exit code, stdout and stderr. */
final class HostCli {
    record Result(int exit, String out, String err) {
    }

    static Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(HostScripts.projectRoot().resolve("bin/patchvisor").toString()));
        argv.addAll(List.of(args));
        Path out = Files.createTempFile("pv-cli", ".out");
        Path err = Files.createTempFile("pv-cli", ".err");
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result runUnchecked(long timeoutSeconds, String... args) {
        try {
            return run(timeoutSeconds, args);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed (publisher side); returns its stdout. */
    static String ok(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, args);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", args) + " exited with " + r.exit() + ": " + r.err() + r.out());
        }
        return r.out();
    }
}
