package org.patchvisor.publish;

import java.time.Duration;

/**
 * What one client may take of {@code repo serve}: how long its request may take to arrive, how long its response
 * may take to be read, and how many connections one address and all addresses together may hold. A client that
 * sends half a request and stops, or never reads, then occupies a bounded share for a bounded time.
 *
 * @param requestDeadline       from accept to the end of the request head; then the connection is closed (408)
 * @param responseDeadline      for sending one response; hosts give up on a download after 5 minutes themselves
 * @param connectionsPerAddress connections one client address may hold at once; more are closed at accept
 * @param maxConnections        connections in all; more are closed at accept
 * @param workers               threads that send files; they only ever see requests that have fully arrived
 */
public record ServeLimits(Duration requestDeadline, Duration responseDeadline, int connectionsPerAddress,
        int maxConnections, int workers) {

    public ServeLimits {
        if (requestDeadline.isNegative() || requestDeadline.isZero() || responseDeadline.isNegative()
                || responseDeadline.isZero() || connectionsPerAddress < 1 || maxConnections < connectionsPerAddress
                || workers < 1) {
            throw new IllegalArgumentException("serve limits must be positive: " + requestDeadline + ", "
                    + responseDeadline + ", " + connectionsPerAddress + ", " + maxConnections + ", " + workers);
        }
    }

    public static ServeLimits defaults() {
        return new ServeLimits(Duration.ofSeconds(10), Duration.ofMinutes(5), 16, 1024, 4);
    }
}
