package org.patchvisor.feed;

/** A bundle that is not listed in any verified index was asked for. */
public final class UnknownBundleException extends FeedException {
    public UnknownBundleException(String message) {
        super(message);
    }

    public UnknownBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
