package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.publish.StaticFileServer;

/**
 * The feed through a real forward proxy (tinyproxy) on loopback: configured with {@code proxy =}, and taken from
 * {@code http_proxy} / {@code https_proxy}. The proxy's own log proves each request passed through it.
 */
class TinyproxyTest {
    private static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");

    @TempDir
    Path tmp;
    FeedFixture fixture;
    BundleEntry entry;
    StaticFileServer origin;
    Process proxy;
    int proxyPort;
    Path log;

    @BeforeEach
    void setUp() throws Exception {
        if (!Files.isExecutable(TINYPROXY)) {
            Assumptions.assumeTrue("true".equals(System.getenv("CI")), "tinyproxy is not installed");
            throw new AssertionError("tinyproxy is required under CI=true but " + TINYPROXY + " is missing");
        }
        fixture = new FeedFixture(tmp);
        entry = fixture.add("livepatch_cmdline", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        origin = StaticFileServer.start(fixture.repo, new InetSocketAddress("127.0.0.1", 0));
        proxyPort = FeedFixture.freePort();
        log = tmp.resolve("tinyproxy.log");
        Path conf = tmp.resolve("tinyproxy.conf");
        Files.writeString(conf, String.join("\n", List.of("Port " + proxyPort, "Listen 127.0.0.1", "Timeout 30",
                "LogFile \"" + log + "\"", "LogLevel Info", "MaxClients 20", "Allow 127.0.0.1", "")));
        proxy = new ProcessBuilder(TINYPROXY.toString(), "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("tinyproxy.out").toFile()).start();
        FeedHttpTest.waitForPort(proxyPort);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy();
            proxy.waitFor();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private String proxyLog() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void configuredProxyCarriesEveryRequest() throws IOException {
        Feed feed = fixture.feed(origin.uri().toString(), Map.of(), FeedFixture.fastLimits(),
                "proxy = http://127.0.0.1:" + proxyPort);
        assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
        feed.fetch(entry);
        String seen = proxyLog();
        assertTrue(seen.contains("GET " + origin.uri() + "index.json"), seen);
        assertTrue(seen.contains("GET " + origin.uri() + "index.json.sig"), seen);
        assertTrue(seen.contains("GET " + origin.uri() + entry.blobPath()), seen);
    }

    @Test
    void httpProxyFromTheEnvironmentIsHonoured() throws IOException {
        Feed feed = fixture.feed(origin.uri().toString(), Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxyPort),
                FeedFixture.fastLimits());
        assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
        assertTrue(proxyLog().contains("GET " + origin.uri() + "index.json"), proxyLog());
    }

    @Test
    void httpsProxyFromTheEnvironmentTunnelsHttpsRepositories() throws IOException {
        int port = origin.address().getPort();
        Feed feed = fixture.feed("https://127.0.0.1:" + port + "/", Map.of("https_proxy", "127.0.0.1:" + proxyPort),
                FeedFixture.fastLimits());
        // The origin speaks plain HTTP, so the TLS handshake inside the tunnel fails; the tunnel itself is the proof.
        assertThrows(FeedException.class, () -> feed.available(FeedFixture.KERNEL));
        assertTrue(proxyLog().contains("CONNECT 127.0.0.1:" + port), proxyLog());
    }

    @Test
    void noProxyBypassesTheProxy() throws IOException {
        Feed feed = fixture.feed(origin.uri().toString(), Map.of("http_proxy", "http://127.0.0.1:" + proxyPort,
                "no_proxy", "localhost,127.0.0.1"), FeedFixture.fastLimits());
        assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
        assertTrue(!proxyLog().contains("index.json"), proxyLog());
    }
}
