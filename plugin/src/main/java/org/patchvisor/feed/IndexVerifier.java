package org.patchvisor.feed;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether fetched {@code index.json} bytes may be believed, in TUF's order: a signature by a key this host
 * trusts over exactly those bytes, then well-formed content, then not expired (freeze), then the same feed this
 * repository served before, then a serial no older than the last one accepted from that feed by any mirror (replay),
 * then the keys it announces. Nothing is parsed as trusted before the signature holds.
 *
 * <p>The keys trusted are the configured ones and those learned from earlier rotations, less every key a verified
 * index retired. An index may announce new keys (a rotation) only when each of them signed it too; a host then
 * learns them, and once an index retires a key, an index signed only by that key is refused.
 */
public final class IndexVerifier {
    private final TrustedKeys configured;
    private final Clock clock;
    private final List<String> repositories;

    /** A verifier for one repository, or one with no mirrors ({@code repo mirror}). */
    public IndexVerifier(TrustedKeys configured, Clock clock) {
        this(configured, clock, List.of());
    }

    /**
     * @param repositories every repository the host's config names: mirrors of one feed, so the feed any of them
     *                     served before binds them all, and the serials an earlier patchvisor kept for any of them
     *                     are floors for the feed they serve
     */
    public IndexVerifier(TrustedKeys configured, Clock clock, List<String> repositories) {
        this.configured = configured;
        this.clock = clock;
        this.repositories = List.copyOf(repositories);
    }

    /** A believed index and the host state that accepting it leads to (saved only if the index is used). */
    public record Verified(FeedIndex index, String feedId, FeedState after, List<String> learnedKeys,
            List<String> retiredKeys) {
    }

    /**
     * @param legacySerial the highest serial an earlier patchvisor accepted from this repository or another one of
     *                     the config, if any: a floor too
     */
    public Verified verify(String repository, byte[] indexBytes, byte[] signatureBytes, FeedState state,
            OptionalLong legacySerial) throws FeedException {
        if (configured.isEmpty()) {
            throw new UnknownKeyException("no trusted-key is configured, so no index can be verified");
        }
        String what = "index.json of " + repository;
        SignatureFile file = CanonicalJson.read(signatureBytes, SignatureFile.class, "index.json.sig of " + repository);
        Map<String, PublicKey> trusted = trusted(state);
        checkSignatures(what, indexBytes, file, trusted, state);
        FeedIndex index = CanonicalJson.read(indexBytes, FeedIndex.class, what);
        Instant now = clock.instant();
        if (!now.isBefore(index.expiresAt())) {
            throw new ExpiredIndexException(what + " expired at " + index.expires() + " (serial " + index.serial()
                    + "): the feed is stale or frozen");
        }
        String feedId = feedId(repository, index);
        String bound = boundFeed(repository, state);
        if (bound != null && !bound.equals(feedId)) {
            throw new FeedIdChangedException(what + " is feed " + feedId + ", but the configured repositories served "
                    + "feed " + bound + " before: refused (a mirror of another feed cannot stand in for this one)");
        }
        long floor = Math.max(state.feeds().containsKey(feedId) ? state.feeds().get(feedId).serial() : 0,
                legacySerial.orElse(0));
        if (index.serial() < floor) {
            throw new RollbackException(what + " has serial " + index.serial() + ", older than serial " + floor
                    + " already accepted from feed " + feedId + ": replayed or rolled-back feed");
        }
        Map<String, String> learned = new TreeMap<>();
        for (AnnouncedKey key : index.keys()) {
            if (trusted.containsKey(key.keyid())) {
                continue;
            }
            if (state.retiredKeys().contains(key.keyid())) {
                throw new RetiredKeyException(what + " announces key " + key.keyid() + ", which was retired");
            }
            if (!signs(key.key(), indexBytes, file, key.keyid())) {
                throw new UnknownKeyException(what + " announces the new key " + key.keyid()
                        + " but is not signed by it: rotation refused");
            }
            learned.put(key.keyid(), key.publicKey());
        }
        List<String> retired = new ArrayList<>(new LinkedHashSet<>(index.retiredKeys()));
        retired.removeAll(state.retiredKeys());
        if (trustedAfter(trusted.keySet(), learned.keySet(), retired).isEmpty()) {
            throw new RetiredKeyException(what + " retires every key this host trusts and announces none in their "
                    + "place: refused, it would leave this host unable to verify any index");
        }
        FeedState after = state.accepting(repository, feedId, index, learned, retired);
        if (CanonicalJson.write(after).length > FileFeedStateStore.MAX_BYTES) {
            throw new MalformedIndexException(what + " would grow what this host keeps past "
                    + FileFeedStateStore.MAX_BYTES + " bytes: refused (too many revocations or keys)");
        }
        return new Verified(index, feedId, after, List.copyOf(learned.keySet()), retired);
    }

    /**
     * The feed this repository serves, as this host learned it: its own binding, else the one of another repository
     * of the config (they are mirrors of one feed). Repositories the config names together never serve two feeds.
     */
    private String boundFeed(String repository, FeedState state) {
        String own = state.repositories().get(repository);
        if (own != null) {
            return own;
        }
        return repositories.stream().map(r -> state.repositories().get(r)).filter(Objects::nonNull)
                .findFirst().orElse(null);
    }

    /** A format-1 index names no feed: its repository stands for it, as serials were kept before format 2. */
    static String feedId(String repository, FeedIndex index) {
        return index.feed() != null ? index.feed() : FileSerialStore.legacyFeedId(repository);
    }

    private Map<String, PublicKey> trusted(FeedState state) {
        Map<String, PublicKey> keys = new HashMap<>(configured.asMap());
        state.learnedKeys().forEach((id, key) -> keys.put(id, Ed25519Keys.publicKey(key)));
        state.retiredKeys().forEach(keys::remove);
        return keys;
    }

    private static Set<String> trustedAfter(Set<String> trusted, Set<String> learned, List<String> retired) {
        Set<String> after = new HashSet<>(trusted);
        after.addAll(learned);
        retired.forEach(after::remove);
        return after;
    }

    /** Refuses unless a trusted key's signature holds, naming why. */
    private static void checkSignatures(String what, byte[] indexBytes, SignatureFile file,
            Map<String, PublicKey> trusted, FeedState state) throws FeedException {
        List<IndexSignature> pinned = file.signatures().stream()
                .filter(signature -> trusted.containsKey(signature.keyid()))
                .toList();
        if (pinned.isEmpty()) {
            List<String> ids = file.signatures().stream().map(IndexSignature::keyid).toList();
            if (ids.stream().anyMatch(state.retiredKeys()::contains)) {
                throw new RetiredKeyException(what + " is signed only by key(s) " + String.join(", ", ids)
                        + ", none of which this host still trusts (retired by a verified rotation)");
            }
            throw new UnknownKeyException(what + " is signed only by untrusted key(s) " + String.join(", ", ids));
        }
        for (IndexSignature signature : pinned) {
            if (verifies(trusted.get(signature.keyid()), indexBytes, signature)) {
                return;
            }
        }
        throw new BadSignatureException(what + " does not match its signature by key " + pinned.get(0).keyid()
                + ": tampered or corrupted");
    }

    private static boolean signs(PublicKey key, byte[] indexBytes, SignatureFile file, String keyId) {
        return file.signatures().stream().anyMatch(s -> s.keyid().equals(keyId) && verifies(key, indexBytes, s));
    }

    private static boolean verifies(PublicKey key, byte[] indexBytes, IndexSignature signature) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(signature.sig());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Ed25519Keys.verify(key, indexBytes, raw);
    }
}
