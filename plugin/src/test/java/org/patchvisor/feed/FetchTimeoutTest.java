package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One limit on how long a run waits on the feed, shared by the index, its signature and the blobs: a server that
 * stalls after the headers or drips a byte at a time used to hold a run for the per-file 300 s, twice. The real
 * servers here run on 127.0.0.1 with a deadline of about a second; the budget's own arithmetic runs on a fake clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FetchTimeoutTest {
    @TempDir
    Path tmp;
    FeedFixture fixture;
    HttpServer server;
    final AtomicBoolean stopping = new AtomicBoolean();

    interface Answer {
        void answer(String path, com.sun.net.httpserver.HttpExchange exchange) throws IOException, InterruptedException;
    }

    @BeforeEach
    void setUp() throws IOException {
        fixture = new FeedFixture(tmp);
        fixture.add("livepatch_cmdline", 1, FeedFixture.BUILD_ID);
        fixture.sign();
    }

    @AfterEach
    void tearDown() {
        stopping.set(true);
        if (server != null) {
            server.stop(0);
        }
    }

    /** Serves the repository's files, except those {@code rogue} answers (it returns false to serve normally). */
    private String serve(java.util.function.Predicate<String> rogue, Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "rogue-feed");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring(1);
            try (exchange) {
                if (rogue.test(path)) {
                    answer.answer(path, exchange);
                } else {
                    byte[] body = Files.readAllBytes(fixture.repo.resolve(path));
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up, which is what these tests provoke
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static FetchLimits limits(Duration fetchTimeout) {
        return new FetchLimits(Duration.ofSeconds(5), fetchTimeout, 1 << 20, 1 << 20);
    }

    /** Sends the headers for {@code length} bytes, then one byte every {@code every} until told to stop. */
    private Answer drip(Duration every) {
        return (path, exchange) -> {
            byte[] body = Files.readAllBytes(fixture.repo.resolve(path));
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < body.length && !stopping.get(); i++) {
                out.write(body[i]);
                out.flush();
                Thread.sleep(every.toMillis());
            }
        };
    }

    @Test
    void signatureThatStallsAfterItsHeadersEndsTheRunAtTheDeadline() throws IOException {
        String url = serve(path -> path.equals("index.json.sig"), (path, exchange) -> {
            exchange.sendResponseHeaders(200, 300);
            exchange.getResponseBody().flush();
            while (!stopping.get()) {
                Thread.sleep(50);
            }
        });
        Feed feed = fixture.feed(url, Map.of(), limits(Duration.ofMillis(1500)));
        long start = System.nanoTime();
        DownloadTimeoutException e = assertThrows(DownloadTimeoutException.class, () -> feed.available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("GET " + url + "index.json.sig did not finish within the run's fetch-timeout of 1500ms"),
                e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "bounded by the run's deadline, not 300 s");
    }

    @Test
    void indexThatDripsOneByteAtATimeEndsTheRunAtTheDeadline() throws IOException {
        String url = serve(path -> path.equals("index.json"), drip(Duration.ofMillis(200)));
        Feed feed = fixture.feed(url, Map.of(), limits(Duration.ofSeconds(1)));
        DownloadTimeoutException e = assertThrows(DownloadTimeoutException.class, () -> feed.available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("index.json did not finish") && e.getMessage().contains("bytes received"),
                e.getMessage());
    }

    @Test
    void configuredFetchTimeoutReplacesTheDefault() throws IOException {
        String url = serve(path -> path.equals("index.json"), drip(Duration.ofMillis(200)));
        Feed feed = fixture.feed(url, Map.of(), FetchLimits.defaults(), "fetch-timeout = 1s");
        long start = System.nanoTime();
        DownloadTimeoutException e = assertThrows(DownloadTimeoutException.class, () -> feed.available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("fetch-timeout of 1s"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "not the 5 minute default");
        assertEquals(FetchLimits.DEFAULT_FETCH_TIMEOUT, FetchLimits.defaults().fetchTimeout());
    }

    @Test
    void budgetIsSharedByEveryFetchOfTheRun() throws FeedException {
        AtomicLong now = new AtomicLong();
        FetchBudget budget = new FetchBudget(Duration.ofSeconds(10), now::get);
        assertEquals(Duration.ofSeconds(10), budget.begin("GET index.json"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        budget.end();
        now.addAndGet(TimeUnit.SECONDS.toNanos(100)); // between fetches (a guest wave): not charged
        assertEquals(Duration.ofSeconds(4), budget.begin("GET index.json.sig"), "what the index left");
        assertEquals(Duration.ofSeconds(4), budget.begin("GET blobs/a"), "two at once are charged once");
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        budget.end();
        budget.end();
        assertEquals(Duration.ofSeconds(1), budget.remaining());
        budget.begin("GET blobs/b");
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        budget.end();
        DownloadTimeoutException e = assertThrows(DownloadTimeoutException.class, () -> budget.begin("GET blobs/c"));
        assertEquals("GET blobs/c was not started: this run already waited its whole fetch-timeout of 10s on the feed",
                e.getMessage());
    }

    @Test
    void fetchTimeoutIsReadFromTheConfig() throws Exception {
        Path file = fixture.config(fixture.repo.toString(), "fetch-timeout = 2m");
        assertEquals(java.util.Optional.of(Duration.ofMinutes(2)), FeedConfig.from(ConfigFile.read(file)).fetchTimeout());
        Path zero = fixture.config(fixture.repo.toString(), "fetch-timeout = 0s");
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> FeedConfig.from(ConfigFile.read(zero)));
        assertTrue(e.getMessage().contains("line 5: fetch-timeout: not a positive duration"), e.getMessage());
        assertEquals(java.util.Optional.empty(),
                FeedConfig.from(ConfigFile.read(fixture.config(fixture.repo.toString()))).fetchTimeout());
    }
}
