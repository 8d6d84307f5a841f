package org.patchvisor.feed;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The signed payload of {@code index.json}: a strictly increasing serial, when it was made and when it stops
 * being valid, and every bundle with the kernels it targets. Times are ISO-8601 UTC strings so the signed
 * bytes do not depend on a date library's formatting choices.
 */
public record FeedIndex(int format, long serial, String created, String expires, List<BundleEntry> bundles) {
    public static final int FORMAT = 1;

    public FeedIndex {
        if (format != FORMAT) {
            throw new IllegalArgumentException("index format " + format + " is not supported (expected " + FORMAT + ")");
        }
        if (serial < 1) {
            throw new IllegalArgumentException("index serial must be at least 1");
        }
        parse("created", created);
        parse("expires", expires);
        bundles = JsonLists.copy(bundles, "the bundle list");
        Set<String> ids = new HashSet<>();
        for (BundleEntry bundle : bundles) {
            if (!ids.add(bundle.id())) {
                throw new IllegalArgumentException("bundle id " + bundle.id() + " appears twice");
            }
        }
    }

    private static Instant parse(String field, String value) {
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
}
