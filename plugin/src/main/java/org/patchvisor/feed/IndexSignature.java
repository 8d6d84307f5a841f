package org.patchvisor.feed;

/** One signature over the exact bytes of {@code index.json}: which key made it and the Ed25519 signature (base64). */
public record IndexSignature(String keyid, String sig) {
    public IndexSignature {
        if (keyid == null || keyid.isBlank() || sig == null || sig.isBlank()) {
            throw new IllegalArgumentException("signature entry needs both 'keyid' and 'sig'");
        }
    }
}
