package org.patchvisor.feed;

/** The repository could not be reached, or did not serve a file it should have. */
public final class FeedUnreachableException extends FeedException {
    public FeedUnreachableException(String message) {
        super(message);
    }

    public FeedUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
