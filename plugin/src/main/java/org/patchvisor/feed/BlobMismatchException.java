package org.patchvisor.feed;

/** A downloaded blob's size or SHA-256 differs from what the signed index says. */
public final class BlobMismatchException extends FeedException {
    public BlobMismatchException(String message) {
        super(message);
    }

    public BlobMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
