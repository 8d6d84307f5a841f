package org.patchvisor.feed;

import java.time.Duration;

/**
 * Bounds on every download: how long to wait for a connection, how long one whole file may take, and hard
 * size caps that hold even if a signed index announces something larger.
 */
public record FetchLimits(Duration connectTimeout, Duration totalTimeout, long indexMaxBytes, long blobMaxBytes) {
    public static final long SIGNATURE_MAX_BYTES = 64 * 1024;

    public static FetchLimits defaults() {
        return new FetchLimits(Duration.ofSeconds(15), Duration.ofMinutes(5), 16L << 20, 256L << 20);
    }
}
