package org.patchvisor.feed;

/** The index is signed only by keys a verified rotation retired (or by none this host still trusts). */
public final class RetiredKeyException extends FeedException {
    public RetiredKeyException(String message) {
        super(message);
    }
}
