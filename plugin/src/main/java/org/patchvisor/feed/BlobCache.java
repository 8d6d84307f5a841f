package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.Sha256;

/**
 * Verified module files under {@code <state-dir>/cache/sha256/<hex>}: content-addressed, so each bundle is
 * downloaded once per host however many times it is applied. A cached file is re-hashed before it is handed
 * out, so a corrupted cache is noticed and refetched rather than loaded. The cache is patchvisor's own, so a link,
 * FIFO or device planted there is refused ({@link RegularFiles}), and no more than the announced size is read.
 */
public final class BlobCache {
    private final Path dir;

    public BlobCache(Path stateDir) {
        this.dir = stateDir.resolve("cache").resolve("sha256");
    }

    public Optional<Path> lookup(BundleEntry entry) throws IOException {
        Path file = dir.resolve(entry.sha256());
        BasicFileAttributes attributes;
        try {
            attributes = RegularFiles.regularAttributes(file, RegularFiles.Links.REFUSE);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (attributes.size() != entry.size()) {
            return Optional.empty(); // a partial or damaged copy: fetch it again
        }
        byte[] cached = RegularFiles.read(file, entry.size(), RegularFiles.Links.REFUSE);
        return Sha256.of(cached).equals(entry.sha256()) ? Optional.of(file) : Optional.empty();
    }

    public Path store(BundleEntry entry, byte[] verified) throws IOException {
        Path file = dir.resolve(entry.sha256());
        AtomicFiles.write(file, verified);
        return file;
    }

}
