package org.patchvisor.feed;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which of the bundles listed for a kernel this host takes (staged delivery, as KernelCare's delayed feeds and
 * Ksplice's pinned effective versions allow): those in the channel it follows (or in {@code stable}, which every
 * channel includes, so a testing host never falls behind the fleet), that have been in it for at least
 * {@code delay} (the time a bundle entered a channel comes from the signed index, never from a server's clock or
 * file dates), and whose cumulative level is at most {@code maxLevel} when the host is pinned. The one rule for the
 * host, its guests and the worker.
 */
public record FeedPolicy(String channel, Duration delay, OptionalInt maxLevel) {

    public FeedPolicy {
        BundleEntry.requireChannel(channel);
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay cannot be negative");
        }
        if (maxLevel.isPresent() && maxLevel.getAsInt() < 1) {
            throw new IllegalArgumentException("max-level must be at least 1");
        }
    }

    public static FeedPolicy defaults() {
        return new FeedPolicy(FeedIndex.DEFAULT_CHANNEL, Duration.ZERO, OptionalInt.empty());
    }

    public FeedPolicy withMaxLevel(int level) {
        return new FeedPolicy(channel, delay, OptionalInt.of(level));
    }

    /** Why this host leaves {@code bundle} out at {@code now}, or empty when it may take it. */
    public Optional<String> holdsBack(BundleEntry bundle, Instant indexCreated, Instant now) {
        if (maxLevel.isPresent() && bundle.cumulativeLevel() > maxLevel.getAsInt()) {
            return Optional.of("level " + bundle.cumulativeLevel() + " is above this host's max-level "
                    + maxLevel.getAsInt());
        }
        Optional<Instant> since = earliest(bundle.inChannelSince(channel, indexCreated),
                bundle.inChannelSince(FeedIndex.DEFAULT_CHANNEL, indexCreated));
        if (since.isEmpty()) {
            return Optional.of("not in channel " + channel + " (it is in " + (bundle.channelTimes().isEmpty() ? "none"
                    : String.join(", ", bundle.channelTimes().keySet())) + ")");
        }
        Instant ready = since.get().plus(delay);
        if (now.isBefore(ready)) {
            return Optional.of("in channel " + channel + " since " + since.get() + "; this host waits " + Durations
                    .format(delay) + ", until " + ready);
        }
        return Optional.empty();
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isPresent() && b.get().isBefore(a.get()) ? b : a;
    }
}
