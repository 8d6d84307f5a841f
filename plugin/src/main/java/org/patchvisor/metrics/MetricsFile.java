package org.patchvisor.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.patchvisor.io.AtomicFiles;

/**
 * Writes a metrics file for the textfile collector. The collector may read at any moment, so the file is
 * replaced atomically (a half-written file would be a scrape error). Each job gets its own file next to the
 * configured one ({@code patchvisor.prom} becomes {@code patchvisor-worker.prom}), so the timer's upgrade and
 * the worker never overwrite each other's figures.
 */
public final class MetricsFile {
    private MetricsFile() {
    }

    /** The file one job writes, derived from the configured path. */
    public static Path forJob(Path configured, String job) {
        String name = configured.getFileName().toString();
        String stem = name.endsWith(".prom") ? name.substring(0, name.length() - ".prom".length()) : name;
        return configured.resolveSibling(stem + "-" + job + ".prom");
    }

    public static void write(Path file, Metrics metrics) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        AtomicFiles.write(file, metrics.render().getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
