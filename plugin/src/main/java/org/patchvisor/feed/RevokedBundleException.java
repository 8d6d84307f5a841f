package org.patchvisor.feed;

/** A bundle the feed revoked: never applied again, from any mirror or cache. */
public final class RevokedBundleException extends FeedException {
    public RevokedBundleException(String message) {
        super(message);
    }
}
