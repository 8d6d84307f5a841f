package org.patchvisor.feed;

import java.io.IOException;
import java.util.Optional;
import org.patchvisor.io.Sha256;

/**
 * One repository seen from a host: fetches {@code index.json} and its signature, has them verified, records the
 * accepted serial only once everything passed, and downloads blobs with size and hash checked against the index.
 */
public final class FeedClient {
    private final String repository;
    private final FeedTransport transport;
    private final IndexVerifier verifier;
    private final SerialStore serials;
    private final FetchLimits limits;
    private VerifiedIndex verified;

    public FeedClient(String repository, FeedTransport transport, IndexVerifier verifier, SerialStore serials,
            FetchLimits limits) {
        this.repository = repository;
        this.transport = transport;
        this.verifier = verifier;
        this.serials = serials;
        this.limits = limits;
    }

    /** The index bytes exactly as fetched and signed, with their parsed form. */
    public record VerifiedIndex(FeedIndex index, byte[] indexBytes, byte[] signatureBytes) {
    }

    public String repository() {
        return repository;
    }

    /** Fetches and verifies the index once per client; later calls reuse the verified result. */
    public synchronized VerifiedIndex verifiedIndex() throws IOException {
        if (verified == null) {
            byte[] indexBytes = transport.fetch("index.json", limits.indexMaxBytes());
            byte[] signatureBytes = transport.fetch("index.json.sig", FetchLimits.SIGNATURE_MAX_BYTES);
            FeedIndex index = verifier.verify(repository, indexBytes, signatureBytes, serials.lastAccepted(repository));
            serials.accept(repository, index.serial());
            verified = new VerifiedIndex(index, indexBytes, signatureBytes);
        }
        return verified;
    }

    public FeedIndex index() throws IOException {
        return verifiedIndex().index();
    }

    /** The entry as this repository's verified index lists it, if it does. */
    public Optional<BundleEntry> listed(BundleEntry entry) throws IOException {
        return index().bundles().stream().filter(entry::equals).findFirst();
    }

    /** Downloads a listed blob, reading at most its announced size (and never past the hard cap). */
    public byte[] download(BundleEntry entry) throws IOException {
        if (listed(entry).isEmpty()) {
            throw new UnknownBundleException("bundle " + entry.id() + " is not listed in the verified index of " + repository);
        }
        if (entry.size() > limits.blobMaxBytes()) {
            throw new DownloadTooLargeException("bundle " + entry.id() + " announces " + entry.size()
                    + " bytes, more than the hard cap of " + limits.blobMaxBytes());
        }
        byte[] data = transport.fetch(entry.blobPath(), entry.size());
        if (data.length != entry.size()) {
            throw new BlobMismatchException("bundle " + entry.id() + " from " + repository + " has " + data.length
                    + " bytes, the signed index says " + entry.size());
        }
        String actual = Sha256.of(data);
        if (!actual.equals(entry.sha256())) {
            throw new BlobMismatchException("bundle " + entry.id() + " from " + repository + " has sha256 " + actual
                    + ", the signed index says " + entry.sha256());
        }
        return data;
    }
}
