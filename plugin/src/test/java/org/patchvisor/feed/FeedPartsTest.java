package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.ModuleInfo;

/** Proxy selection, config parsing, kernel identity and module strings: the small parts the feed stands on. */
class FeedPartsTest {
    @TempDir
    Path tmp;

    private static String proxyFor(EnvProxySelector selector, String url) {
        Proxy proxy = selector.select(URI.create(url)).get(0);
        return proxy.type() == Proxy.Type.DIRECT ? "direct"
                : ((InetSocketAddress) proxy.address()).getHostString() + ":" + ((InetSocketAddress) proxy.address()).getPort();
    }

    @Test
    void proxyChoiceFollowsSchemeNoProxyAndConfig() {
        EnvProxySelector env = EnvProxySelector.create(Optional.empty(), Map.of("http_proxy", "http://plain:3128",
                "HTTPS_PROXY", "secure:8443", "NO_PROXY", "internal.example, .corp.example"));
        assertEquals("plain:3128", proxyFor(env, "http://feed.example/index.json"));
        assertEquals("secure:8443", proxyFor(env, "https://feed.example/index.json"));
        assertEquals("direct", proxyFor(env, "https://internal.example/"));
        assertEquals("direct", proxyFor(env, "https://a.corp.example/"));
        assertEquals("secure:8443", proxyFor(env, "https://corp.example.org/"));
        EnvProxySelector configured = EnvProxySelector.create(Optional.of("http://cfg:8080"), Map.of("no_proxy", "*"));
        assertEquals("cfg:8080", proxyFor(configured, "https://anything/"));
        assertEquals("direct", proxyFor(EnvProxySelector.create(Optional.empty(), Map.of()), "https://x/"));
        assertThrows(IllegalArgumentException.class, () -> EnvProxySelector.create(Optional.of("socks5://h:1"), Map.of()));
    }

    @Test
    void configLinesAndDurations() throws Exception {
        Path file = tmp.resolve("patchvisor.conf");
        String key = Ed25519Keys.base64(Ed25519Keys.generate().getPublic());
        Files.writeString(file, "# feed\n\nrepository = https://a/\nrepository = /srv/mirror\ntrusted-key = " + key
                + "\nproxy = http://p:3128\ncheck-interval = 30m\nstate-dir = /tmp/pv\nrollout-waves = 3\n");
        FeedConfig config = FeedConfig.from(ConfigFile.read(file));
        assertEquals(List.of("https://a/", "/srv/mirror"), config.repositories());
        assertEquals(Duration.ofMinutes(30), config.checkInterval());
        assertEquals(Path.of("/tmp/pv"), config.stateDir());
        assertEquals(Optional.of("http://p:3128"), config.proxy());

        Files.writeString(file, "repository https://a/\n");
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> ConfigFile.read(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        Files.writeString(file, "repository = /a\ntrusted-key = bm90IGEga2V5\n");
        assertThrows(FeedConfigException.class, () -> FeedConfig.from(ConfigFile.read(file)));
        assertThrows(FeedConfigException.class, () -> ConfigFile.read(tmp.resolve("absent.conf")));
        assertThrows(FeedConfigException.class, () -> FeedTransports.open("ftp://x/", null, FetchLimits.defaults()));

        assertEquals(Duration.ofHours(4), Durations.parse("4h"));
        assertEquals(Duration.ofDays(14), Durations.parse("2w"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("PT90S"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("0h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
    }

    private static byte[] note(String name, int type, byte[] desc) {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(12 + ((nameBytes.length + 3) & ~3) + ((desc.length + 3) & ~3))
                .order(ByteOrder.nativeOrder());
        buffer.putInt(nameBytes.length).putInt(desc.length).putInt(type).put(nameBytes);
        buffer.position(12 + ((nameBytes.length + 3) & ~3));
        buffer.put(desc);
        return buffer.array();
    }
}
