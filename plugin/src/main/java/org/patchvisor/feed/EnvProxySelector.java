package org.patchvisor.feed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the proxy for a URL the way curl and wget users expect, because the JDK client reads no environment:
 * a {@code proxy} from the config file wins for every URL; otherwise {@code https_proxy} / {@code http_proxy}
 * (lower case first, then upper case) by scheme, except for hosts matched by {@code no_proxy} ("*", exact
 * names, or domain suffixes such as ".example.com"; no CIDR ranges).
 */
public final class EnvProxySelector extends ProxySelector {
    private final Optional<Proxy> configured;
    private final Optional<Proxy> httpProxy;
    private final Optional<Proxy> httpsProxy;
    private final List<String> noProxy;

    private EnvProxySelector(Optional<Proxy> configured, Optional<Proxy> httpProxy, Optional<Proxy> httpsProxy,
            List<String> noProxy) {
        this.configured = configured;
        this.httpProxy = httpProxy;
        this.httpsProxy = httpsProxy;
        this.noProxy = noProxy;
    }

    public static EnvProxySelector create(Optional<String> configuredProxy, Map<String, String> env) {
        Optional<String> noProxy = variable(env, "no_proxy");
        return new EnvProxySelector(
                configuredProxy.map(EnvProxySelector::parse),
                variable(env, "http_proxy").map(EnvProxySelector::parse),
                variable(env, "https_proxy").map(EnvProxySelector::parse),
                noProxy.map(list -> Arrays.stream(list.split(","))
                        .map(entry -> entry.strip().toLowerCase(Locale.ROOT))
                        .filter(entry -> !entry.isEmpty())
                        .toList()).orElse(List.of()));
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            value = env.get(name.toUpperCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Accepts {@code http://host:port}, {@code http://host:port/} or bare {@code host:port}. */
    static Proxy parse(String text) {
        URI uri = URI.create(text.contains("://") ? text : "http://" + text);
        if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("proxy must look like http://host:port, not '" + text + "'");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("proxy '" + text + "' has port " + uri.getPort() + ", outside 1..65535");
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (configured.isPresent()) {
            return List.of(configured.get());
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (bypassed(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        Optional<Proxy> proxy = "https".equalsIgnoreCase(uri.getScheme()) ? httpsProxy : httpProxy;
        return List.of(proxy.orElse(Proxy.NO_PROXY));
    }

    private boolean bypassed(String host) {
        for (String entry : noProxy) {
            String domain = entry.startsWith(".") ? entry.substring(1) : entry;
            if (entry.equals("*") || host.equals(domain) || host.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // The client reports the failure to the caller; there is no alternative proxy to fall back to.
    }
}
