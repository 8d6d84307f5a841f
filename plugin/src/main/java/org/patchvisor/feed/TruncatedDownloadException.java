package org.patchvisor.feed;

/** The connection broke before the whole body arrived. */
public final class TruncatedDownloadException extends FeedException {
    public TruncatedDownloadException(String message) {
        super(message);
    }

    public TruncatedDownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
