package org.patchvisor.feed;

/** The index serial is older than one this host already accepted: a replayed feed. */
public final class RollbackException extends FeedException {
    public RollbackException(String message) {
        super(message);
    }

    public RollbackException(String message, Throwable cause) {
        super(message, cause);
    }
}
