package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.patchvisor.io.Sha256;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.FeedClient;
import org.patchvisor.feed.FeedClient.VerifiedIndex;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.MalformedIndexException;
import org.patchvisor.feed.RollbackException;

/**
 * Copies a repository for an air-gapped site, trusting nothing it has not verified: the index is checked as a
 * host would, every blob against it, and the blobs land before the new index, so the mirror is always either the
 * old consistent state or the new one. A mirror never goes back to an older serial.
 */
public final class RepositoryMirror {
    private final FeedClient source;
    private final Path target;

    public RepositoryMirror(FeedClient source, Path target) {
        this.source = source;
        this.target = target;
    }

    public FeedIndex run() throws IOException {
        VerifiedIndex verified = source.verifiedIndex();
        long existing = existingSerial();
        if (verified.index().serial() < existing) {
            throw new RollbackException("the source " + source.repository() + " has serial " + verified.index().serial()
                    + ", older than serial " + existing + " already in " + target);
        }
        Files.createDirectories(target.resolve("blobs").resolve("sha256"));
        for (BundleEntry entry : verified.index().bundles()) {
            Path blob = target.resolve(entry.blobPath());
            if (!Files.isRegularFile(blob) || !Sha256.of(blob).equals(entry.sha256())) {
                AtomicFiles.write(blob, source.download(entry));
            }
        }
        AtomicFiles.write(target.resolve("index.json.sig"), verified.signatureBytes());
        AtomicFiles.write(target.resolve("index.json"), verified.indexBytes());
        return verified.index();
    }

    private long existingSerial() throws IOException {
        Path current = target.resolve("index.json");
        if (!Files.exists(current)) {
            return 0;
        }
        try {
            return CanonicalJson.read(Files.readAllBytes(current), FeedIndex.class, current.toString()).serial();
        } catch (MalformedIndexException e) {
            return 0;
        }
    }
}
