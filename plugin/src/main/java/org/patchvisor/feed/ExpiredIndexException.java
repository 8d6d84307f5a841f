package org.patchvisor.feed;

/** The signed index is past its expiry time: a frozen or stale feed. */
public final class ExpiredIndexException extends FeedException {
    public ExpiredIndexException(String message) {
        super(message);
    }

    public ExpiredIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
