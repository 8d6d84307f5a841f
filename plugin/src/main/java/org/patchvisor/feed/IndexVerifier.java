package org.patchvisor.feed;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;

/**
 * Decides whether fetched {@code index.json} bytes may be believed, in TUF's order: a signature by a pinned key
 * over exactly those bytes, then well-formed content, then not expired (freeze), then a serial no older than the
 * last one this host accepted (replay). Nothing is parsed as trusted before the signature holds.
 */
public final class IndexVerifier {
    private final TrustedKeys keys;
    private final Clock clock;

    public IndexVerifier(TrustedKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    public FeedIndex verify(String repository, byte[] indexBytes, byte[] signatureBytes, OptionalLong lastAccepted)
            throws FeedException {
        checkSignature(repository, indexBytes, signatureBytes);
        FeedIndex index = CanonicalJson.read(indexBytes, FeedIndex.class, "index.json of " + repository);
        Instant now = clock.instant();
        if (!now.isBefore(index.expiresAt())) {
            throw new ExpiredIndexException("index.json of " + repository + " expired at " + index.expires()
                    + " (serial " + index.serial() + "): the feed is stale or frozen");
        }
        if (lastAccepted.isPresent() && index.serial() < lastAccepted.getAsLong()) {
            throw new RollbackException("index.json of " + repository + " has serial " + index.serial()
                    + ", older than serial " + lastAccepted.getAsLong() + " already accepted: replayed feed");
        }
        return index;
    }

    private void checkSignature(String repository, byte[] indexBytes, byte[] signatureBytes) throws FeedException {
        if (keys.isEmpty()) {
            throw new UnknownKeyException("no trusted-key is configured, so no index can be verified");
        }
        SignatureFile file = CanonicalJson.read(signatureBytes, SignatureFile.class, "index.json.sig of " + repository);
        List<IndexSignature> pinned = file.signatures().stream()
                .filter(signature -> keys.get(signature.keyid()).isPresent())
                .toList();
        if (pinned.isEmpty()) {
            throw new UnknownKeyException("index.json of " + repository + " is signed only by untrusted key(s) "
                    + String.join(", ", file.signatures().stream().map(IndexSignature::keyid).toList()));
        }
        for (IndexSignature signature : pinned) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(signature.sig());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (Ed25519Keys.verify(keys.get(signature.keyid()).orElseThrow(), indexBytes, raw)) {
                return;
            }
        }
        throw new BadSignatureException("index.json of " + repository + " does not match its signature by key "
                + pinned.get(0).keyid() + ": tampered or corrupted");
    }
}
