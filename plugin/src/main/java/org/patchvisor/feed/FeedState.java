package org.patchvisor.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a host remembers of the feeds it verified, so no mirror can take it back: the highest serial accepted per
 * feed id (with that index's expiry), which feed each configured repository serves, the signing keys learned from a
 * rotation and the keys retired, and every revoked bundle (by the SHA-256 of its module file, so a revoked bundle is
 * never applied again, whichever mirror or cache offers it). Immutable; {@link #merge} combines two states, as two
 * runs that saved at once would both want.
 *
 * @param feeds        feed id to the last accepted serial and expiry
 * @param repositories repository (as configured) to the feed id it served
 * @param learnedKeys  key id to public key (base64 X.509), learned from a verified rotation
 * @param retiredKeys  key ids a verified index retired; never trusted again, whatever the config says
 * @param revoked      module sha256 to its revocation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeedState(Map<String, Mark> feeds, Map<String, String> repositories, Map<String, String> learnedKeys,
        List<String> retiredKeys, Map<String, Revocation> revoked) {

    /** The last accepted index of one feed. */
    public record Mark(long serial, String expires) {
        public Mark {
            if (serial < 1) {
                throw new IllegalArgumentException("a recorded serial must be at least 1");
            }
            FeedIndex.parse("recorded expiry", expires);
        }
    }

    public FeedState {
        feeds = new TreeMap<>(feeds == null ? Map.of() : feeds);
        repositories = new TreeMap<>(repositories == null ? Map.of() : repositories);
        learnedKeys = new TreeMap<>(learnedKeys == null ? Map.of() : learnedKeys);
        retiredKeys = List.copyOf(new TreeSet<>(JsonLists.copy(retiredKeys, "the retired key list")));
        revoked = new TreeMap<>(revoked == null ? Map.of() : revoked);
        for (Map.Entry<String, String> key : learnedKeys.entrySet()) {
            new AnnouncedKey(key.getKey(), key.getValue());
        }
        if (feeds.containsValue(null) || repositories.containsValue(null) || revoked.containsValue(null)) {
            throw new IllegalArgumentException("an entry is empty (null)");
        }
        feeds = Collections.unmodifiableMap(feeds);
        repositories = Collections.unmodifiableMap(repositories);
        learnedKeys = Collections.unmodifiableMap(learnedKeys);
        revoked = Collections.unmodifiableMap(revoked);
    }

    public static FeedState empty() {
        return new FeedState(Map.of(), Map.of(), Map.of(), List.of(), Map.of());
    }

    /**
     * Both states in one: the higher serial per feed, the newer repository binding ({@code newer}'s), every key
     * learned or retired and every revocation of either.
     */
    public FeedState merge(FeedState newer) {
        Map<String, Mark> marks = new TreeMap<>(feeds);
        newer.feeds.forEach((id, mark) -> marks.merge(id, mark, (a, b) -> a.serial() >= b.serial() ? a : b));
        Map<String, String> bindings = new TreeMap<>(repositories);
        bindings.putAll(newer.repositories);
        Map<String, String> keys = new TreeMap<>(learnedKeys);
        keys.putAll(newer.learnedKeys);
        Set<String> retired = new TreeSet<>(retiredKeys);
        retired.addAll(newer.retiredKeys);
        Map<String, Revocation> revocations = new TreeMap<>(revoked);
        newer.revoked.forEach(revocations::putIfAbsent);
        return new FeedState(marks, bindings, keys, new ArrayList<>(retired), revocations);
    }

    /**
     * This state with all trust forgotten, for an operator recovering from a stolen signing key: every serial floor,
     * repository binding, and key learned or retired. What was revoked stays revoked. The next index signed by a
     * configured {@code trusted-key} is then taken as new.
     */
    public FeedState withoutTrust() {
        return new FeedState(Map.of(), Map.of(), Map.of(), List.of(), revoked);
    }

    /** This state after accepting {@code index} from {@code repository}, with the keys it made this host learn. */
    FeedState accepting(String repository, String feedId, FeedIndex index, Map<String, String> learned,
            List<String> retired) {
        Map<String, Mark> marks = Map.of(feedId, new Mark(index.serial(), index.expires()));
        Map<String, Revocation> revocations = new TreeMap<>();
        index.revoked().forEach(r -> revocations.put(r.sha256(), r));
        return merge(new FeedState(marks, Map.of(repository, feedId), learned, retired, revocations));
    }
}
