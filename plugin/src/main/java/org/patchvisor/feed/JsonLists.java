package org.patchvisor.feed;

import java.util.List;

/**
 * The one rule for lists in feed JSON: absent reads as empty, a {@code null} element is a malformed file. Anyone
 * who can serve a feed can write {@code [null]}; it must read as one clear line, not a NullPointerException.
 */
final class JsonLists {
    private JsonLists() {
    }

    /** An immutable copy; {@code what} completes "... has an empty (null) entry" in the refusal. */
    static <T> List<T> copy(List<T> list, String what) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(what + " has an empty (null) entry at position " + (i + 1));
            }
        }
        return List.copyOf(list);
    }
}
