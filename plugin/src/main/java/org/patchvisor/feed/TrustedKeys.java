package org.patchvisor.feed;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The public keys this host pins, by key id. Only they can make an index acceptable. */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        keys.forEach(key -> byId.put(Ed25519Keys.keyId(key), key));
        return new TrustedKeys(byId);
    }

    /** From the {@code trusted-key} config values (PEM or base64 X.509). */
    public static TrustedKeys parse(Collection<String> encoded) {
        List<PublicKey> keys = new ArrayList<>();
        for (String text : encoded) {
            try {
                keys.add(Ed25519Keys.publicKey(text));
            } catch (IllegalArgumentException e) {
                String shown = text.strip().length() > 16 ? text.strip().substring(0, 16) + "..." : text.strip();
                throw new IllegalArgumentException("trusted-key '" + shown + "': " + e.getMessage(), e);
            }
        }
        return of(keys);
    }

    public Optional<PublicKey> get(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    /** Every pinned key by its id. */
    public Map<String, PublicKey> asMap() {
        return byId;
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
