package org.patchvisor.feed;

import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a {@code repository} value into its transport: http(s) URLs, {@code file:} URLs and plain directories.
 * {@link #check} is the one rule for what such a value may be; the config applies it when it is read, so a bad
 * port or a missing host is reported at once, not first at fetch time.
 */
public final class FeedTransports {
    private static final int MAX_PORT = 65535;

    private FeedTransports() {
    }

    /** The kinds of repository value. */
    enum Kind {
        HTTP, FILE_URL, DIRECTORY
    }

    /** A transport with a budget of its own (a one-shot reader such as {@code repo mirror}). */
    public static FeedTransport open(String repository, ProxySelector proxies, FetchLimits limits) throws FeedConfigException {
        return open(repository, proxies, limits, FetchBudget.of(limits));
    }

    /** A transport whose HTTP requests draw on a run's shared {@code budget}. */
    public static FeedTransport open(String repository, ProxySelector proxies, FetchLimits limits, FetchBudget budget)
            throws FeedConfigException {
        try {
            return switch (check(repository)) {
                case HTTP -> new HttpFeedTransport(URI.create(repository), proxies, limits, null, budget);
                case FILE_URL -> new DirectoryFeedTransport(Path.of(URI.create(repository)));
                case DIRECTORY -> new DirectoryFeedTransport(Path.of(repository));
            };
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException("repository '" + repository + "' " + e.getMessage());
        }
    }

    /**
     * Which kind of repository this is, or an {@link IllegalArgumentException} whose message completes
     * "repository 'X' ...": an http(s) URL needs a host and a port in 1..65535, a {@code file:} URL must name
     * a local path, anything else with a scheme is unsupported.
     */
    static Kind check(String repository) {
        String lower = repository.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI uri = parse(repository);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("has no host name, or a port that is not a number");
            }
            if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > MAX_PORT)) {
                throw new IllegalArgumentException("has port " + uri.getPort() + ", outside 1.." + MAX_PORT);
            }
            return Kind.HTTP;
        }
        if (lower.startsWith("file:")) {
            try {
                Path.of(parse(repository));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not a local file: URL (" + e.getMessage()
                        + "); write it as file:/absolute/directory");
            }
            return Kind.FILE_URL;
        }
        if (lower.matches("[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("uses an unsupported scheme (http, https, file)");
        }
        try {
            Path.of(repository);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a valid path: " + e.getMessage());
        }
        return Kind.DIRECTORY;
    }

    private static URI parse(String repository) {
        try {
            return new URI(repository);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }
}
