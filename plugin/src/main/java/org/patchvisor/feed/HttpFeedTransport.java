package org.patchvisor.feed;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * Fetches repository files over HTTP(S) with the JDK client. The request timeout only covers the wait for
 * headers, so the whole exchange is also bounded from outside, by what is left of the run's {@link FetchBudget}:
 * a server that stalls mid-body or drips bytes ends in {@link DownloadTimeoutException}, and the index, its
 * signature and the blobs share that one limit. Redirects are followed as the JDK's NORMAL policy does (never
 * from https to http, at most five); a redirect still standing after that is named as such.
 */
public final class HttpFeedTransport implements FeedTransport {
    private final URI base;
    private final HttpClient client;
    private final FetchBudget budget;

    public HttpFeedTransport(URI base, ProxySelector proxies, FetchLimits limits, SSLContext tls, FetchBudget budget) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.budget = budget;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(limits.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .proxy(proxies);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    @Override
    public byte[] fetch(String relativePath, long maxBytes) throws FeedException {
        URI uri = base.resolve(relativePath);
        Duration left = budget.begin("GET " + uri);
        try {
            return exchange(uri, maxBytes, left);
        } finally {
            budget.end();
        }
    }

    private byte[] exchange(URI uri, long maxBytes, Duration left) throws FeedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(left).GET().build();
        AtomicReference<CappedBodySubscriber> body = new AtomicReference<>();
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request, info -> {
            if (info.statusCode() != 200) {
                return BodySubscribers.replacing(null);
            }
            body.set(new CappedBodySubscriber(uri, maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1)));
            return body.get();
        });
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(left.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw tooSlow(uri, body.get());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new DownloadTimeoutException("GET " + uri + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpTimeoutException && !(e.getCause() instanceof HttpConnectTimeoutException)) {
                throw tooSlow(uri, body.get());
            }
            throw translate(uri, e.getCause(), body.get());
        }
        if (response.statusCode() / 100 == 3) {
            throw new FeedUnreachableException(redirectProblem(uri, response));
        }
        if (response.statusCode() != 200) {
            throw new FeedUnreachableException("GET " + uri + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    private DownloadTimeoutException tooSlow(URI uri, CappedBodySubscriber body) {
        return new DownloadTimeoutException("GET " + uri + " did not finish within the run's fetch-timeout of "
                + Durations.format(budget.total()) + (body == null ? " (no answer)" : " (" + body.received()
                + " bytes received)") + ": the server is stalled or too slow");
    }

    /** What a 3xx that the client handed back means: it stopped following (a loop, or https to http). */
    private static String redirectProblem(URI uri, HttpResponse<?> response) {
        // The client itself refuses a redirect without a Location, so one is there.
        String location = response.headers().firstValue("Location").orElse("");
        String last = response.uri().equals(uri) ? "" : " (last at " + response.uri() + ")";
        URI target;
        try {
            target = response.uri().resolve(location);
        } catch (IllegalArgumentException e) {
            return "GET " + uri + " was redirected to an invalid Location" + last;
        }
        if ("https".equalsIgnoreCase(response.uri().getScheme()) && "http".equalsIgnoreCase(target.getScheme())) {
            return "GET " + uri + " was redirected from https to plain http (" + target + "), which is not followed" + last;
        }
        return "GET " + uri + " was redirected too many times (a redirect loop?): the last answer was HTTP "
                + response.statusCode() + " to " + target + last;
    }

    /** Maps the client's exceptions to feed failures; {@code body} is set once a 200 response started. */
    private FeedException translate(URI uri, Throwable cause, CappedBodySubscriber body) {
        Throwable inner = cause;
        while (!(inner instanceof FeedException) && inner.getCause() != null && inner != inner.getCause()) {
            inner = inner.getCause();
        }
        if (inner instanceof FeedException feed) {
            return feed;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new DownloadTimeoutException("connecting to " + uri.getHost() + ":" + port(uri) + " timed out", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new DownloadTimeoutException("GET " + uri + " timed out: " + cause.getMessage(), cause);
        }
        if (body != null && cause instanceof IOException) {
            return new TruncatedDownloadException(uri + " broke off after " + body.received() + " bytes: "
                    + cause.getMessage(), cause);
        }
        if (cause instanceof ConnectException) {
            return new FeedUnreachableException("cannot connect to " + uri.getHost() + ":" + port(uri)
                    + " for " + uri + " (connection refused or no route)", cause);
        }
        if (cause instanceof IOException) {
            return new FeedUnreachableException("GET " + uri + " failed: " + cause.getMessage(), cause);
        }
        return new FeedUnreachableException("GET " + uri + " failed: " + cause, cause);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }

    @Override
    public String describe() {
        return base.toString();
    }
}
