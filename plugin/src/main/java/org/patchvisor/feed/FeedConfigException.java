package org.patchvisor.feed;

/** The patchvisor configuration file is missing or has a bad line. */
public final class FeedConfigException extends FeedException {
    public FeedConfigException(String message) {
        super(message);
    }

    public FeedConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
