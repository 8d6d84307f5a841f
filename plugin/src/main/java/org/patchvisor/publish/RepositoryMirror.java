package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.io.Sha256;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.FeedClient;
import org.patchvisor.feed.FeedClient.VerifiedIndex;
import org.patchvisor.feed.FeedIdChangedException;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.FeedState;
import org.patchvisor.feed.RollbackException;

/**
 * Copies a repository for an air-gapped site, trusting nothing it has not verified: the index is checked as a
 * host would, every blob against it, and the blobs land before the new index, so the mirror is always either the
 * old consistent state or the new one. The index is copied byte for byte, so the mirror serves the same feed (its id,
 * serial, revocations and keys) under another URL. A mirror never goes back to an older serial, nor turns into a
 * mirror of another feed.
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
        Optional<FeedIndex> existing = existingIndex();
        if (existing.isPresent() && existing.get().feed() != null
                && !existing.get().feed().equals(verified.index().feed())) {
            throw new FeedIdChangedException(target + " mirrors feed " + existing.get().feed() + ", but "
                    + source.repository() + " serves feed " + verified.feedId() + ": not mixed");
        }
        long serial = existing.map(FeedIndex::serial).orElse(0L);
        if (verified.index().serial() < serial) {
            throw new RollbackException("the source " + source.repository() + " has serial " + verified.index().serial()
                    + ", older than serial " + serial + " already in " + target);
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

    /**
     * What the mirror already trusts: the keys its current index announces and retires (that index was verified
     * when it was mirrored). So a mirror follows a key rotation as hosts do, and never copies in an index signed
     * only by a key its feed retired.
     */
    public static FeedState trustOf(Path target) throws IOException {
        Optional<FeedIndex> existing = existingIndex(target);
        if (existing.isEmpty()) {
            return FeedState.empty();
        }
        Map<String, String> keys = new TreeMap<>();
        existing.get().keys().forEach(k -> keys.put(k.keyid(), k.publicKey()));
        return new FeedState(Map.of(), Map.of(), keys, existing.get().retiredKeys(), Map.of());
    }

    private Optional<FeedIndex> existingIndex() throws IOException {
        return existingIndex(target);
    }

    private static Optional<FeedIndex> existingIndex(Path target) throws IOException {
        // A mirror's index it cannot read is refused, not taken for none: the feed-id and rollback checks rest on it.
        return RepositoryJson.readIfPresent(target.resolve("index.json"), FeedIndex.class);
    }
}
