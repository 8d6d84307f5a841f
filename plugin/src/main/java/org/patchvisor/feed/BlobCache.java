package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.patchvisor.state.AtomicFiles;
import org.patchvisor.state.Sha256;

/**
 * Verified module files under {@code <state-dir>/cache/sha256/<hex>}: content-addressed, so each bundle is
 * downloaded once per host however many times it is applied. A cached file is re-hashed before it is handed
 * out, so a corrupted cache is noticed and refetched rather than loaded.
 */
public final class BlobCache {
    private final Path dir;

    public BlobCache(Path stateDir) {
        this.dir = stateDir.resolve("cache").resolve("sha256");
    }

    public Optional<Path> lookup(BundleEntry entry) throws IOException {
        Path file = dir.resolve(entry.sha256());
        if (Files.isRegularFile(file) && Files.size(file) == entry.size()
                && Sha256.of(file).equals(entry.sha256())) {
            return Optional.of(file);
        }
        return Optional.empty();
    }

    public Path store(BundleEntry entry, byte[] verified) throws IOException {
        Path file = dir.resolve(entry.sha256());
        AtomicFiles.write(file, verified);
        return file;
    }

}
