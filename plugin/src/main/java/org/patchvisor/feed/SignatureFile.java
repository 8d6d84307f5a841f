package org.patchvisor.feed;

import java.util.List;

/** The content of {@code index.json.sig}: one or more signatures; one by a trusted key is enough. */
public record SignatureFile(List<IndexSignature> signatures) {
    public SignatureFile {
        signatures = JsonLists.copy(signatures, "the signature list");
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("signature file lists no signature");
        }
    }
}
