package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.Sha256;
import org.patchvisor.publish.StaticFileServer;

/** The host side against real HTTP servers on 127.0.0.1: the repository server, and servers that misbehave. */
class FeedHttpTest {
    @TempDir
    Path tmp;
    FeedFixture fixture;
    BundleEntry entry;
    HttpServer rogue;
    ServerSocket silent;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new FeedFixture(tmp);
        entry = fixture.add("livepatch_cmdline", 1, FeedFixture.BUILD_ID);
        fixture.sign();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (rogue != null) {
            rogue.stop(0);
        }
        if (silent != null) {
            silent.close();
        }
    }

    @Test
    void servedRepositoryIsVerifiedAndDownloadedOncePerBundle() throws IOException {
        try (StaticFileServer server = StaticFileServer.start(fixture.repo, new InetSocketAddress("127.0.0.1", 0))) {
            Feed feed = fixture.feed(server.uri().toString(), Map.of(), FeedFixture.fastLimits());
            assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
            Path module = feed.fetch(entry);
            assertEquals(entry.sha256(), Sha256.of(Files.readAllBytes(module)));
        }
        Feed offline = fixture.feed("http://127.0.0.1:" + FeedFixture.freePort() + "/", Map.of(), FeedFixture.fastLimits());
        assertThrows(FeedUnreachableException.class, () -> offline.available(FeedFixture.KERNEL));
    }

    @Test
    void accessLogHasOneLinePerRequest() throws IOException {
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (StaticFileServer server = StaticFileServer.start(fixture.repo, new InetSocketAddress("127.0.0.1", 0),
                log::add)) {
            Feed feed = fixture.feed(server.uri().toString(), Map.of(), FeedFixture.fastLimits());
            feed.fetch(entry);
            feed.fetch(entry);
            rawGet(server.address().getPort(), "/missing");
        }
        String blob = "GET /" + entry.blobPath() + " 200 ";
        assertEquals(1, log.stream().filter(l -> l.startsWith(blob)).count(), log.toString());
        assertTrue(log.contains("GET /missing 404 10"), log.toString());
    }

    @Test
    void serverRefusesToLeaveItsDirectory() throws IOException {
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        try (StaticFileServer server = StaticFileServer.start(fixture.repo, new InetSocketAddress("127.0.0.1", 0))) {
            for (String path : List.of("/../secret.txt", "/blobs/../../secret.txt", "/%2e%2e/secret.txt", "/blobs")) {
                String response = rawGet(server.address().getPort(), path);
                assertTrue(response.startsWith("HTTP/1.1 404"), path + " -> " + response);
            }
            assertTrue(rawGet(server.address().getPort(), "/index.json").startsWith("HTTP/1.1 200"));
        }
    }

    private static String rawGet(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void serverThatAcceptsAndNeverAnswersTimesOut() throws IOException {
        silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Feed feed = fixture.feed("http://127.0.0.1:" + silent.getLocalPort() + "/", Map.of(), FeedFixture.fastLimits());
        long start = System.nanoTime();
        assertThrows(DownloadTimeoutException.class, () -> feed.available(FeedFixture.KERNEL));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "bounded by the configured timeout");
    }

    /** Serves the real repository, except the blob, which {@code blob} answers. */
    private Feed rogueFeed(BlobAnswer blob) throws IOException {
        rogue = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        rogue.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring(1);
            try (exchange) {
                if (path.startsWith("blobs/")) {
                    blob.answer(exchange.getResponseBody(), length -> exchange.sendResponseHeaders(200, length));
                } else {
                    byte[] body = Files.readAllBytes(fixture.repo.resolve(path));
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            } catch (IOException e) {
                // the client hung up, which is what these tests provoke
            }
        });
        rogue.start();
        return fixture.feed("http://127.0.0.1:" + rogue.getAddress().getPort() + "/", Map.of(), FeedFixture.fastLimits());
    }

    interface Headers {
        void send(long length) throws IOException;
    }

    interface BlobAnswer {
        void answer(OutputStream body, Headers headers) throws IOException;
    }

    @Test
    void truncatedDownloadIsRefused() throws IOException {
        byte[] blob = Files.readAllBytes(fixture.repo.resolve(entry.blobPath()));
        Feed feed = rogueFeed((body, headers) -> {
            headers.send(blob.length);
            body.write(blob, 0, blob.length / 2);
            body.flush();
            rogue.stop(0);
        });
        FeedException e = assertThrows(FeedException.class, () -> feed.fetch(entry));
        assertTrue(e instanceof TruncatedDownloadException || e instanceof BlobMismatchException, e.toString());
    }

    @Test
    void oversizedDownloadIsCut() throws IOException {
        AtomicInteger sent = new AtomicInteger();
        Feed announced = rogueFeed((body, headers) -> headers.send(50L << 20));
        assertThrows(DownloadTooLargeException.class, () -> announced.fetch(entry));
        rogue.stop(0);
        Feed chunked = rogueFeed((body, headers) -> {
            headers.send(0);
            byte[] chunk = new byte[8192];
            for (int i = 0; i < 1024; i++) {
                body.write(chunk);
                sent.addAndGet(chunk.length);
            }
        });
        assertThrows(DownloadTooLargeException.class, () -> chunked.fetch(entry));
        assertTrue(sent.get() < (8 << 20), "the client stopped reading long before the server's 8 MiB");
    }

    @Test
    void serverThatHangsMidBodyTimesOut() throws IOException {
        byte[] blob = Files.readAllBytes(fixture.repo.resolve(entry.blobPath()));
        Feed feed = rogueFeed((body, headers) -> {
            headers.send(blob.length);
            body.write(blob, 0, 100);
            body.flush();
            try {
                Thread.sleep(4000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        assertThrows(DownloadTimeoutException.class, () -> feed.fetch(entry));
        assertTrue(System.nanoTime() - start < 6_000_000_000L);
    }

    @Test
    void redirectLoopIsNamedAsOne() throws IOException {
        rogue = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        rogue.createContext("/", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("Location", exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(302, -1);
            }
        });
        rogue.start();
        String url = "http://127.0.0.1:" + rogue.getAddress().getPort() + "/";
        Feed feed = fixture.feed(url, Map.of(), FeedFixture.fastLimits());
        FeedUnreachableException e = assertThrows(FeedUnreachableException.class, () -> feed.available(FeedFixture.KERNEL));
        assertEquals("GET " + url + "index.json was redirected too many times (a redirect loop?): the last answer was"
                + " HTTP 302 to " + url + "index.json", e.getMessage());
    }

    @Test
    void anyStaticServerWorks() throws Exception {
        int port = FeedFixture.freePort();
        Process python;
        try {
            python = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1",
                    "--directory", fixture.repo.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("python.log").toFile()).start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.assumeFalse(!"true".equals(System.getenv("CI")), "python3 missing");
            throw e;
        }
        try {
            waitForPort(port);
            Feed feed = fixture.feed("http://127.0.0.1:" + port, Map.of(), FeedFixture.fastLimits());
            assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
            assertEquals(entry.size(), Files.size(feed.fetch(entry)));
        } finally {
            python.destroy();
            python.waitFor();
        }
    }

    static void waitForPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port);
    }
}
