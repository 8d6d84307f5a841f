package org.patchvisor.feed;

/** The index is signed, but by no key this host trusts. */
public final class UnknownKeyException extends FeedException {
    public UnknownKeyException(String message) {
        super(message);
    }

    public UnknownKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
