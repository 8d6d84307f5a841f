package org.patchvisor.feed;

/** A connection or download did not finish within its time limit. */
public final class DownloadTimeoutException extends FeedException {
    public DownloadTimeoutException(String message) {
        super(message);
    }

    public DownloadTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
