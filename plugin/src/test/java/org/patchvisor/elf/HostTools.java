package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's binutils and gcc for tests that check written objects against the real tools. On a developer
 * machine without them such a test is skipped; under {@code CI=true} a missing tool fails it.
 */
public final class HostTools {
    private static final long TIMEOUT_SECONDS = 60;

    /** What a tool printed and how it ended. */
    public record Run(List<String> command, int exitCode, String out, String err) {
        /** Fails unless the tool exited 0, showing everything it printed. */
        public Run succeeded() {
            assertTrue(exitCode == 0, this::toString);
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " exited " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private HostTools() {
    }

    /** Skips the calling test when one of {@code tools} is not on the PATH, unless CI=true, where that fails it. */
    public static void require(String... tools) {
        for (String tool : tools) {
            if (!onPath(tool)) {
                Assumptions.assumeTrue("true".equals(System.getenv("CI")), tool + " is not installed");
                throw new AssertionError(tool + " is required under CI=true but is not on the PATH");
            }
        }
    }

    /** Runs {@code command} in {@code dir} to its end (bounded), with its output collected through files. */
    public static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
        }
        return new Run(List.of(command), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
