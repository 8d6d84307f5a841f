package org.patchvisor.feed;

/** A download exceeds the size the index announced or the hard cap. */
public final class DownloadTooLargeException extends FeedException {
    public DownloadTooLargeException(String message) {
        super(message);
    }

    public DownloadTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
