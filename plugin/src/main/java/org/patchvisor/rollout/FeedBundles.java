package org.patchvisor.rollout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.model.KernelId;

/**
 * The signed feed plugged into a rollout: the newest cumulative bundle for a kernel, fetched verified and
 * checked against the kernel it is meant for. Which bundle a guest already has is the guest step's business
 * (it reports "already patched").
 */
public final class FeedBundles implements BundleSource, BundleFetcher {
    private final Feed feed;

    public FeedBundles(Feed feed) {
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    @Override
    public Optional<BundleEntry> bundleFor(KernelId kernel) throws IOException {
        return feed.newestCumulative(kernel, List.of());
    }

    @Override
    public Path fetch(BundleEntry bundle, KernelId kernel) throws IOException {
        return feed.fetch(bundle, kernel);
    }
}
