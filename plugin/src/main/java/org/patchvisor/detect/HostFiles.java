package org.patchvisor.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The machine's files seen from a root directory: {@code /} in production, a fixture tree in tests.
 * Paths are given as the machine knows them ("/proc/xen/capabilities"); a missing file is an empty
 * Optional, any other failure (e.g. permission denied) is an IOException for the caller to judge.
 */
public final class HostFiles {

    private final Path root;

    public HostFiles(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    public Path root() {
        return root;
    }

    /** The real location of a machine path under the root. */
    public Path resolve(String machinePath) {
        if (!machinePath.startsWith("/")) {
            throw new IllegalArgumentException("machine path must be absolute: " + machinePath);
        }
        return root.resolve(machinePath.substring(1));
    }

    public boolean exists(String machinePath) {
        return Files.exists(resolve(machinePath));
    }

    public boolean isDirectory(String machinePath) {
        return Files.isDirectory(resolve(machinePath));
    }

    public Optional<byte[]> readBytes(String machinePath) throws IOException {
        try {
            return Optional.of(org.patchvisor.kernel.KernelFiles.readBytes(resolve(machinePath)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The whole file as text; procfs and sysfs files are small and mostly ASCII. */
    public Optional<String> read(String machinePath) throws IOException {
        return readBytes(machinePath).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The first line, trimmed — how systemd's read_one_line_file sees sysfs attributes. */
    public Optional<String> firstLine(String machinePath) throws IOException {
        return read(machinePath).map(text -> {
            int newline = text.indexOf('\n');
            return (newline < 0 ? text : text.substring(0, newline)).trim();
        });
    }

    /** Sorted entry names of a directory; empty when it does not exist. */
    public List<String> list(String machinePath) throws IOException {
        try (Stream<Path> entries = Files.list(resolve(machinePath))) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
    }

    /**
     * The target of a symbolic link such as {@code /proc/self/ns/pid}. Fixture trees cannot hold procfs
     * magic links portably, so a regular file there stands for the link and holds its target as one line.
     */
    public Optional<String> linkTarget(String machinePath) throws IOException {
        Path path = resolve(machinePath);
        if (Files.isSymbolicLink(path)) {
            return Optional.of(Files.readSymbolicLink(path).toString());
        }
        return firstLine(machinePath);
    }
}
