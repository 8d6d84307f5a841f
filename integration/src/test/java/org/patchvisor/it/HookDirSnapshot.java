package org.patchvisor.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a host's libvirt hook directory held before a test installed its hook: every regular file with its bytes and
 * mode, and every directory. {@link #restore} puts exactly that back, whatever the test or a failed run left there.
 */
final class HookDirSnapshot {
    private record Entry(byte[] bytes, Set<PosixFilePermission> mode) {
    }

    private final Path root;
    private final boolean existed;
    private final Map<Path, Entry> files = new LinkedHashMap<>();
    private final List<Path> dirs;

    private HookDirSnapshot(Path root, boolean existed, List<Path> dirs) {
        this.root = root;
        this.existed = existed;
        this.dirs = dirs;
    }

    static HookDirSnapshot take(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return new HookDirSnapshot(root, false, List.of());
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = walk.toList();
            HookDirSnapshot snapshot = new HookDirSnapshot(root, true,
                    all.stream().filter(Files::isDirectory).toList());
            for (Path p : all) {
                if (Files.isRegularFile(p)) {
                    snapshot.files.put(p, new Entry(Files.readAllBytes(p), Files.getPosixFilePermissions(p)));
                }
            }
            return snapshot;
        }
    }

    void restore() throws IOException {
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    boolean keep = p.equals(root) && existed || files.containsKey(p) || dirs.contains(p);
                    if (!keep) {
                        Files.delete(p);
                    }
                }
            }
        }
        for (Path dir : dirs) {
            Files.createDirectories(dir);
        }
        for (Map.Entry<Path, Entry> file : files.entrySet()) {
            Path p = file.getKey();
            if (!Files.isRegularFile(p) || !Arrays.equals(Files.readAllBytes(p), file.getValue().bytes())) {
                Files.write(p, file.getValue().bytes());
            }
            Files.setPosixFilePermissions(p, file.getValue().mode());
        }
    }
}
