package org.patchvisor.feed;

/** A trusted key's signature does not match the index bytes that were fetched. */
public final class BadSignatureException extends FeedException {
    public BadSignatureException(String message) {
        super(message);
    }

    public BadSignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
