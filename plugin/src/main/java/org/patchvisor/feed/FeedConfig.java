package org.patchvisor.feed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The feed's part of patchvisor.conf (integration/config/patchvisor.conf documents each key; a {@code #} only
 * starts a comment at the beginning of a line):
 * <pre>
 * repository = https://patches.example.com/feed/   (repeatable; http(s):, file: or an absolute directory)
 * trusted-key = MCowBQYDK2VwAyEA...                 (repeatable; base64 X.509 Ed25519 public key)
 * proxy = http://proxy.example.com:3128             (optional; else https_proxy/http_proxy/no_proxy apply)
 * check-interval = 4h                               (the intended period; the systemd timer sets the real one)
 * state-dir = /var/lib/patchvisor                   (absolute; last accepted serials, blob cache, installed records)
 * fetch-timeout = 5m                                (optional; how long one run may wait on the feed in all)
 * channel = stable                                  (optional; the channel this host follows, default stable)
 * delay = 24h                                       (optional; take a bundle only this long after it entered it)
 * max-level = 3                                     (optional; pin this host to a cumulative level)
 * </pre>
 * Every value is checked here, when the file is read: what the config means must not depend on the directory a
 * command happens to run in, and a bad URL is better reported now than at fetch time.
 */
public record FeedConfig(List<String> repositories, List<String> trustedKeys, Optional<String> proxy,
        Duration checkInterval, Path stateDir, Optional<Duration> fetchTimeout, FeedPolicy policy) {
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(4);
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/patchvisor");
    /** The one key every command reads, those that use no feed included. */
    public static final String STATE_DIR_KEY = "state-dir";
    /** The keys this section reads. */
    public static final List<String> KEYS = List.of("repository", "trusted-key", "proxy", "check-interval",
            STATE_DIR_KEY, "fetch-timeout", "channel", "delay", "max-level");

    public FeedConfig {
        repositories = List.copyOf(repositories);
        trustedKeys = List.copyOf(trustedKeys);
    }

    /** The same settings with another state directory (a --state-dir given on the command line wins). */
    public FeedConfig withStateDir(Path dir) {
        return new FeedConfig(repositories, trustedKeys, proxy, checkInterval, dir, fetchTimeout, policy);
    }

    /** The same settings pinned to cumulative level {@code level} ({@code upgrade --level}). */
    public FeedConfig withMaxLevel(int level) {
        return new FeedConfig(repositories, trustedKeys, proxy, checkInterval, stateDir, fetchTimeout,
                policy.withMaxLevel(level));
    }

    public static FeedConfig from(ConfigFile file) throws FeedConfigException {
        List<ConfigFile.Value> repositoryValues = file.values("repository");
        if (repositoryValues.isEmpty()) {
            throw new FeedConfigException(file.source() + " names no 'repository'");
        }
        List<String> repositories = new ArrayList<>();
        for (ConfigFile.Value value : repositoryValues) {
            repositories.add(repository(file, value));
        }
        List<ConfigFile.Value> keyValues = file.values("trusted-key");
        if (keyValues.isEmpty()) {
            throw new FeedConfigException(file.source() + " names no 'trusted-key': nothing could be verified");
        }
        for (ConfigFile.Value value : keyValues) {
            check(file, value, "trusted-key", () -> Ed25519Keys.publicKey(value.text()));
        }
        Optional<ConfigFile.Value> proxy = file.singleValue("proxy");
        if (proxy.isPresent()) {
            check(file, proxy.get(), "proxy", () -> EnvProxySelector.parse(proxy.get().text()));
        }
        Optional<ConfigFile.Value> interval = file.singleValue("check-interval");
        if (interval.isPresent()) {
            check(file, interval.get(), "check-interval", () -> Durations.parse(interval.get().text()));
        }
        Path stateDir = stateDir(file).orElse(DEFAULT_STATE_DIR);
        Optional<ConfigFile.Value> fetchTimeout = file.singleValue("fetch-timeout");
        if (fetchTimeout.isPresent()) {
            check(file, fetchTimeout.get(), "fetch-timeout", () -> Durations.parse(fetchTimeout.get().text()));
        }
        return new FeedConfig(repositories, file.all("trusted-key"), proxy.map(ConfigFile.Value::text),
                interval.map(v -> Durations.parse(v.text())).orElse(DEFAULT_CHECK_INTERVAL), stateDir,
                fetchTimeout.map(v -> Durations.parse(v.text())), policy(file));
    }

    /** The {@code channel}, {@code delay} and {@code max-level} keys, each checked where it is written. */
    private static FeedPolicy policy(ConfigFile file) throws FeedConfigException {
        Optional<ConfigFile.Value> channel = file.singleValue("channel");
        if (channel.isPresent()) {
            check(file, channel.get(), "channel", () -> BundleEntry.requireChannel(channel.get().text()));
        }
        Optional<ConfigFile.Value> delay = file.singleValue("delay");
        if (delay.isPresent()) {
            check(file, delay.get(), "delay", () -> Durations.parse(delay.get().text()));
        }
        Optional<ConfigFile.Value> level = file.singleValue("max-level");
        if (level.isPresent()) {
            check(file, level.get(), "max-level", () -> maxLevel(level.get().text()));
        }
        return new FeedPolicy(channel.map(ConfigFile.Value::text).orElse(FeedIndex.DEFAULT_CHANNEL),
                delay.map(v -> Durations.parse(v.text())).orElse(Duration.ZERO),
                level.map(v -> OptionalInt.of(maxLevel(v.text()))).orElse(OptionalInt.empty()));
    }

    private static int maxLevel(String text) {
        try {
            int level = Integer.parseInt(text);
            if (level >= 1) {
                return level;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("'" + text + "' is not a cumulative level (a whole number from 1)");
    }

    /** The file's {@code state-dir}, checked to be absolute; empty when the file does not set one. */
    public static Optional<Path> stateDir(ConfigFile file) throws FeedConfigException {
        Optional<ConfigFile.Value> value = file.singleValue(STATE_DIR_KEY);
        return value.isPresent() ? Optional.of(absolute(file, value.get(), STATE_DIR_KEY)) : Optional.empty();
    }

    private static String repository(ConfigFile file, ConfigFile.Value value) throws FeedConfigException {
        String text = value.text();
        FeedTransports.Kind kind;
        try {
            kind = FeedTransports.check(text);
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException(file.at(value) + "repository '" + text + "' " + e.getMessage());
        }
        if (kind == FeedTransports.Kind.DIRECTORY) {
            absolute(file, value, "repository");
        }
        return text;
    }

    private static Path absolute(ConfigFile file, ConfigFile.Value value, String key) throws FeedConfigException {
        Path path;
        try {
            path = Path.of(value.text());
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException(file.at(value) + key + " '" + value.text() + "' is not a valid path");
        }
        if (!path.isAbsolute()) {
            throw new FeedConfigException(file.at(value) + key + " '" + value.text()
                    + "' is a relative path: give an absolute one (it must not depend on the current directory)");
        }
        return path;
    }

    private interface Check {
        void run();
    }

    /** Runs one value's own parser and turns its refusal into a line naming the file, the line and the key. */
    private static void check(ConfigFile file, ConfigFile.Value value, String key, Check parse)
            throws FeedConfigException {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw new FeedConfigException(file.at(value) + key + ": " + e.getMessage());
        }
    }
}
