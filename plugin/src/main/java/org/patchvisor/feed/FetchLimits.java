package org.patchvisor.feed;

import java.time.Duration;

/**
 * Bounds on every download: how long to wait for a connection, how long one run may wait on the feed in all
 * (index, signature and blobs together; {@code fetch-timeout} in the config, see {@link FetchBudget}), and hard
 * size caps that hold even if a signed index announces something larger.
 */
public record FetchLimits(Duration connectTimeout, Duration fetchTimeout, long indexMaxBytes, long blobMaxBytes) {
    public static final long SIGNATURE_MAX_BYTES = 64 * 1024;
    /** Enough for an index and a large module over a slow link; a stalled server is given up on after it. */
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofMinutes(5);

    public static FetchLimits defaults() {
        return new FetchLimits(Duration.ofSeconds(15), DEFAULT_FETCH_TIMEOUT, 16L << 20, 256L << 20);
    }

    /** The same limits with another budget for the whole run. */
    public FetchLimits withFetchTimeout(Duration timeout) {
        return new FetchLimits(connectTimeout, timeout, indexMaxBytes, blobMaxBytes);
    }
}
