package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The build's scratch directories (generated kbuild trees, compared objects): removed or emptied between runs. */
final class ScratchDirs {

    private ScratchDirs() {
    }

    /** Removes {@code dir} and everything below it; a missing directory is fine. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code dir}, empty. */
    static Path reset(Path dir) throws IOException {
        delete(dir);
        return Files.createDirectories(dir);
    }
}
