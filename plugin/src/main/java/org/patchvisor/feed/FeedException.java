package org.patchvisor.feed;

import java.io.IOException;

/**
 * Something about the feed is not trustworthy or not reachable. Each failure has its own subclass and a
 * one-line message, so {@code check} and {@code upgrade} can say exactly what went wrong; whenever one is
 * thrown nothing has been applied and no state has changed.
 */
public abstract class FeedException extends IOException {
    protected FeedException(String message) {
        super(message);
    }

    protected FeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
