package org.patchvisor.feed;

import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/** Turns a {@code repository} value into its transport: http(s) URLs, {@code file:} URLs and plain directories. */
public final class FeedTransports {
    private FeedTransports() {
    }

    public static FeedTransport open(String repository, ProxySelector proxies, FetchLimits limits) throws FeedConfigException {
        String lower = repository.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                return new HttpFeedTransport(URI.create(repository), proxies, limits, null);
            }
            if (lower.startsWith("file:")) {
                return new DirectoryFeedTransport(Path.of(URI.create(repository)));
            }
            if (lower.matches("[a-z][a-z0-9+.-]*://.*")) {
                throw new FeedConfigException("repository '" + repository + "' uses an unsupported scheme (http, https, file)");
            }
            return new DirectoryFeedTransport(Path.of(repository));
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException("repository '" + repository + "' is not a valid URL or path: " + e.getMessage());
        }
    }
}
