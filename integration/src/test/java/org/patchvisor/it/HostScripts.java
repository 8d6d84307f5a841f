package org.patchvisor.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's own shell scripts on the host for the real-kernel lane (initramfs build, sample patch
 * build), bounded in time, and turns a failure into an exception that carries the script's output.
 */
public final class HostScripts {
    private HostScripts() {
    }

    /** The checkout this test runs from ({@code patchvisor.root}, set by failsafe). */
    public static Path projectRoot() {
        String root = System.getProperty("patchvisor.root");
        Path path = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        return path.toAbsolutePath().normalize();
    }

    /** Scratch space under integration/target: visible inside the guests, since they share the host root. */
    public static Path targetDir(String name) throws IOException {
        return Files.createDirectories(projectRoot().resolve("integration/target").resolve(name));
    }

    /** Builds (or takes from the cache) the initramfs for {@code release}. */
    public static Path initramfs(String release) throws IOException {
        Path out = targetDir("initramfs").resolve(release + ".cpio.gz");
        run(120, projectRoot().resolve("integration/vm/build-initramfs.sh").toString(), release, out.toString());
        return out;
    }

    /** Builds every sample live patch for {@code release}; returns the directory holding the .ko files. */
    public static Path samplePatches(String release) throws IOException {
        Path out = targetDir("livepatch").resolve(release);
        run(300, projectRoot().resolve("examples/livepatch/build.sh").toString(), release, out.toString());
        return out;
    }

    /** Removes a scratch tree of a test (which may hold a whole kernel source); a missing one is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            run(300, "rm", "-rf", "--", dir.toString());
        }
    }

    static String run(long timeoutSeconds, String... command) throws IOException {
        Path log = Files.createTempFile("pv-script", ".log");
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!finished || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + (finished ? " failed with exit code "
                        + process.exitValue() : " timed out after " + timeoutSeconds + " s") + ":\n" + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
