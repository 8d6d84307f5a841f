package org.patchvisor.feed;

/** A repository serves another feed than the one it served before: refused, as a mirror of another feed (even one signed by a trusted key) could otherwise stand in for this one. */
public final class FeedIdChangedException extends FeedException {
    public FeedIdChangedException(String message) {
        super(message);
    }
}
