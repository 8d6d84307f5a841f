package org.patchvisor.feed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The feed's part of patchvisor.conf (integration/config/patchvisor.conf documents each key; a {@code #} only
 * starts a comment at the beginning of a line):
 * <pre>
 * repository = https://patches.example.com/feed/   (repeatable; http(s):, file: or a plain directory)
 * trusted-key = MCowBQYDK2VwAyEA...                 (repeatable; base64 X.509 Ed25519 public key)
 * proxy = http://proxy.example.com:3128             (optional; else https_proxy/http_proxy/no_proxy apply)
 * check-interval = 4h                               (the intended period; the systemd timer sets the real one)
 * state-dir = /var/lib/patchvisor                   (last accepted serials, blob cache, installed records)
 * </pre>
 */
public record FeedConfig(List<String> repositories, List<String> trustedKeys, Optional<String> proxy,
        Duration checkInterval, Path stateDir) {
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(4);
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/patchvisor");

    public FeedConfig {
        repositories = List.copyOf(repositories);
        trustedKeys = List.copyOf(trustedKeys);
    }

    /** The same settings with another state directory (a --state-dir given on the command line wins). */
    public FeedConfig withStateDir(Path dir) {
        return new FeedConfig(repositories, trustedKeys, proxy, checkInterval, dir);
    }

    public static FeedConfig from(ConfigFile file) throws FeedConfigException {
        List<String> repositories = file.all("repository");
        if (repositories.isEmpty()) {
            throw new FeedConfigException(file.source() + " names no 'repository'");
        }
        List<String> keys = file.all("trusted-key");
        if (keys.isEmpty()) {
            throw new FeedConfigException(file.source() + " names no 'trusted-key': nothing could be verified");
        }
        try {
            TrustedKeys.parse(keys);
            Optional<String> proxy = file.single("proxy");
            proxy.ifPresent(EnvProxySelector::parse);
            Duration interval = file.single("check-interval").map(Durations::parse).orElse(DEFAULT_CHECK_INTERVAL);
            Path stateDir = file.single("state-dir").map(Path::of).orElse(DEFAULT_STATE_DIR);
            return new FeedConfig(repositories, keys, proxy, interval, stateDir);
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException(file.source() + ": " + e.getMessage());
        }
    }
}
