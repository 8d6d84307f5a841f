package org.patchvisor.feed;

/** The index or its signature file is not the JSON this format defines. */
public final class MalformedIndexException extends FeedException {
    public MalformedIndexException(String message) {
        super(message);
    }

    public MalformedIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
