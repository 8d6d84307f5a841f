package org.patchvisor.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The signed payload of {@code index.json}: which feed it is, a serial that only grows, when it was made and when it
 * stops being valid, every bundle with the kernels it targets and the channels it is in, the bundles withdrawn, and
 * the feed's signing keys when it announces a rotation. Times are ISO-8601 UTC strings so the signed bytes do not
 * depend on a date library's formatting choices.
 *
 * <p>Format 2 added the feed id, revocations, channels and key announcements. A format-1 index (written by earlier
 * publishers) is still read, as a feed without an id whose bundles are all in {@link #DEFAULT_CHANNEL} since the
 * index was created; see {@code package-info.java} for what each version of a host does with the other format.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeedIndex(int format, long serial, String created, String expires, String feed,
        List<BundleEntry> bundles, List<Revocation> revoked, List<AnnouncedKey> keys, List<String> retiredKeys) {
    public static final int FORMAT = 2;
    static final int LEGACY_FORMAT = 1;
    /** The channel a host follows unless its config names another, and the one bundles are published to. */
    public static final String DEFAULT_CHANNEL = "stable";
    private static final Pattern FEED_ID = Pattern.compile("[a-z0-9][a-z0-9-]{7,63}");
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");
    /** More than a feed ever needs; a hostile index must not fill a host's state with them. */
    static final int MAX_REVOCATIONS = 10_000;
    static final int MAX_KEYS = 32;

    public FeedIndex {
        if (format != FORMAT && format != LEGACY_FORMAT) {
            throw new IllegalArgumentException("index format " + format + " is not supported (this patchvisor reads "
                    + LEGACY_FORMAT + " and " + FORMAT + ")");
        }
        if (serial < 1) {
            throw new IllegalArgumentException("index serial must be at least 1");
        }
        Instant made = parse("created", created);
        parse("expires", expires);
        bundles = JsonLists.copy(bundles, "the bundle list");
        revoked = JsonLists.copy(revoked, "the revocation list");
        keys = JsonLists.copy(keys, "the key list");
        retiredKeys = JsonLists.copy(retiredKeys, "the retired key list");
        if (revoked.size() > MAX_REVOCATIONS || keys.size() > MAX_KEYS || retiredKeys.size() > MAX_KEYS) {
            throw new IllegalArgumentException("index lists more than " + MAX_REVOCATIONS + " revocations or more than "
                    + MAX_KEYS + " keys or retired keys");
        }
        for (String retired : retiredKeys) {
            if (!KEY_ID.matcher(retired).matches()) {
                throw new IllegalArgumentException("retired key id '" + retired + "' is not 16 hex digits");
            }
        }
        if (format == FORMAT) {
            if (feed == null || !FEED_ID.matcher(feed).matches()) {
                throw new IllegalArgumentException("index has no valid feed id (8 to 64 of a-z, 0-9 and -): " + feed);
            }
        } else if (feed != null || !revoked.isEmpty() || !keys.isEmpty() || !retiredKeys.isEmpty()) {
            throw new IllegalArgumentException("a format-1 index cannot carry a feed id, revocations or keys");
        }
        Set<String> ids = new HashSet<>();
        for (BundleEntry bundle : bundles) {
            if (!ids.add(bundle.id())) {
                throw new IllegalArgumentException("bundle id " + bundle.id() + " appears twice");
            }
            if (format == LEGACY_FORMAT && bundle.channels() != null) {
                throw new IllegalArgumentException("a format-1 index cannot put bundles in channels");
            }
            for (Map.Entry<String, Instant> entered : bundle.channelTimes().entrySet()) {
                if (entered.getValue().isAfter(made)) {
                    throw new IllegalArgumentException("bundle " + bundle.id() + " entered channel " + entered.getKey()
                            + " at " + entered.getValue() + ", after the index was created");
                }
            }
        }
        for (Revocation revocation : revoked) {
            if (ids.contains(revocation.bundle())) {
                throw new IllegalArgumentException("bundle " + revocation.bundle() + " is both listed and revoked");
            }
        }
        Set<String> announced = new HashSet<>();
        keys.forEach(k -> announced.add(k.keyid()));
        for (String retired : retiredKeys) {
            if (announced.contains(retired)) {
                throw new IllegalArgumentException("key " + retired + " is both announced and retired");
            }
        }
    }

    /** A format-2 index. */
    public static FeedIndex of(long serial, Instant created, Instant expires, String feed, List<BundleEntry> bundles,
            List<Revocation> revoked, List<AnnouncedKey> keys, List<String> retiredKeys) {
        return new FeedIndex(FORMAT, serial, created.toString(), expires.toString(), feed, bundles, revoked, keys,
                retiredKeys);
    }

    /** Whether {@code text} is a key id as the feed writes them: 16 lower-case hex digits. */
    public static boolean isKeyId(String text) {
        return text != null && KEY_ID.matcher(text).matches();
    }

    public static boolean isFeedId(String text) {
        return text != null && FEED_ID.matcher(text).matches();
    }

    static Instant parse(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException("index has no '" + field + "' time");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("index '" + field + "' is not an ISO-8601 UTC time: " + value);
        }
    }

    public Instant createdAt() {
        return parse("created", created);
    }

    public Instant expiresAt() {
        return parse("expires", expires);
    }

    /** The sha256 of every revoked bundle's module file. */
    public Set<String> revokedHashes() {
        Set<String> hashes = new HashSet<>();
        revoked.forEach(r -> hashes.add(r.sha256()));
        return hashes;
    }
}
