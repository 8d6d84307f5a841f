package org.patchvisor.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.patchvisor.model.KernelId;

/**
 * Reads this kernel's identity and loaded live patches from procfs and sysfs under a root directory (a test
 * passes a fake tree): {@code /proc/sys/kernel/osrelease} and {@code version}, the GNU build-id note in
 * {@code /sys/kernel/notes}, and the entries of {@code /sys/kernel/livepatch}.
 */
public final class ProcHostKernel implements HostKernel {
    private final Path root;
    private final String machine;

    public ProcHostKernel(Path root, String machine) {
        this.root = root;
        this.machine = machine;
    }

    /** The running machine, with the JVM's os.arch mapped to uname's spelling. */
    public static ProcHostKernel local() {
        String arch = System.getProperty("os.arch");
        return new ProcHostKernel(Path.of("/"), "amd64".equals(arch) ? "x86_64" : arch);
    }

    @Override
    public KernelId kernel() throws IOException {
        String release = Files.readString(root.resolve("proc/sys/kernel/osrelease"), StandardCharsets.UTF_8).strip();
        String version = Files.readString(root.resolve("proc/sys/kernel/version"), StandardCharsets.UTF_8).strip();
        Optional<String> buildId;
        try {
            buildId = KernelNotes.gnuBuildId(Files.readAllBytes(root.resolve("sys/kernel/notes")));
        } catch (NoSuchFileException e) {
            buildId = Optional.empty();
        }
        return new KernelId(release, version, machine, buildId);
    }

    @Override
    public List<String> installedPatches() throws IOException {
        Path dir = root.resolve("sys/kernel/livepatch");
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }
}
