package org.patchvisor.feed;

import java.security.PublicKey;

/**
 * A signing key the index announces for this feed (key rotation, as TUF's root metadata does): its id and its
 * public key (base64 X.509). A host learns it only from an index it verified with a key it already trusts and that
 * the announced key signed too, so only the holder of both keys can introduce it.
 */
public record AnnouncedKey(String keyid, String publicKey) {
    public AnnouncedKey {
        if (keyid == null || publicKey == null) {
            throw new IllegalArgumentException("an announced key needs both 'keyid' and 'publicKey'");
        }
        String actual = Ed25519Keys.keyId(Ed25519Keys.publicKey(publicKey));
        if (!actual.equals(keyid)) {
            throw new IllegalArgumentException("announced key " + keyid + " has the id " + actual);
        }
    }

    public static AnnouncedKey of(PublicKey key) {
        return new AnnouncedKey(Ed25519Keys.keyId(key), Ed25519Keys.base64(key));
    }

    public PublicKey key() {
        return Ed25519Keys.publicKey(publicKey);
    }
}
