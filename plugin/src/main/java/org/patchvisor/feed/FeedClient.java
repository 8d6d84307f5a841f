package org.patchvisor.feed;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.patchvisor.io.Sha256;

/**
 * One repository seen from a host: fetches {@code index.json} and its signature, has them verified against what the
 * host remembers ({@link FeedState}), records what accepting it taught (serial, keys, revocations) only once
 * everything passed, and downloads blobs with size and hash checked against the index.
 */
public final class FeedClient {
    private final String repository;
    private final FeedTransport transport;
    private final IndexVerifier verifier;
    private final FeedStateStore state;
    private final FetchLimits limits;
    private final List<String> mirrors;
    private VerifiedIndex verified;

    public FeedClient(String repository, FeedTransport transport, IndexVerifier verifier, FeedStateStore state,
            FetchLimits limits) {
        this(repository, transport, verifier, state, limits, List.of());
    }

    /** @param mirrors the other repositories of the config: mirrors of the same feed */
    public FeedClient(String repository, FeedTransport transport, IndexVerifier verifier, FeedStateStore state,
            FetchLimits limits, List<String> mirrors) {
        this.mirrors = List.copyOf(mirrors);
        this.repository = repository;
        this.transport = transport;
        this.verifier = verifier;
        this.state = state;
        this.limits = limits;
    }

    /**
     * The index bytes exactly as fetched and signed, with their parsed form, the feed they belong to and what this
     * host knows after accepting them.
     */
    public record VerifiedIndex(FeedIndex index, byte[] indexBytes, byte[] signatureBytes, String feedId,
            FeedState state, List<String> learnedKeys, List<String> retiredKeys) {
    }

    public String repository() {
        return repository;
    }

    /** Fetches and verifies the index once per client; later calls reuse the verified result. */
    public synchronized VerifiedIndex verifiedIndex() throws IOException {
        if (verified == null) {
            byte[] indexBytes = transport.fetch("index.json", limits.indexMaxBytes());
            byte[] signatureBytes = transport.fetch("index.json.sig", FetchLimits.SIGNATURE_MAX_BYTES);
            IndexVerifier.Verified v = verifier.verify(repository, indexBytes, signatureBytes, state.load(),
                    legacyFloor());
            state.save(v.after());
            verified = new VerifiedIndex(v.index(), indexBytes, signatureBytes, v.feedId(), v.after(), v.learnedKeys(),
                    v.retiredKeys());
        }
        return verified;
    }

    /** The highest serial an earlier patchvisor kept for this repository or any other mirror of the config. */
    private OptionalLong legacyFloor() throws IOException {
        OptionalLong floor = state.legacySerial(repository);
        for (String mirror : mirrors) {
            OptionalLong other = state.legacySerial(mirror);
            if (other.isPresent() && (floor.isEmpty() || other.getAsLong() > floor.getAsLong())) {
                floor = other;
            }
        }
        return floor;
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
        VerifiedIndex known = verifiedIndex();
        if (known.state().revoked().containsKey(entry.sha256())) {
            throw new RevokedBundleException("bundle " + entry.id() + " was revoked ("
                    + known.state().revoked().get(entry.sha256()).reason() + "): not downloaded");
        }
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
