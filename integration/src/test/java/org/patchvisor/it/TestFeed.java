package org.patchvisor.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A publisher's feed made on this machine the way an operator makes one, with the real CLI: {@code repo init},
 * {@code repo keygen}, {@code repo add}, {@code repo sign}. It knows the trusted-key value that a client's
 * config must carry, read from the line keygen prints for exactly that purpose.
 */
final class TestFeed {
    private static final String TRUSTED_KEY = "trusted-key = ";
    private static final Pattern SHA256 = Pattern.compile("sha256 ([0-9a-f]{64})");

    final Path repo;
    final Path key;
    final String trustedKey;

    private TestFeed(Path repo, Path key, String trustedKey) {
        this.repo = repo;
        this.key = key;
        this.trustedKey = trustedKey;
    }

    /** An empty feed at {@code work/repo} and a new publisher key at {@code work/publisher.key}. */
    static TestFeed create(Path work) throws IOException {
        Path repo = work.resolve("repo");
        Path key = work.resolve("publisher.key");
        pv("repo", "init", repo.toString());
        return new TestFeed(repo, key, keygen(key));
    }

    /** Writes a new publisher key to {@code key}; returns the trusted-key value clients configure for it. */
    static String keygen(Path key) throws IOException {
        String out = pv("repo", "keygen", "--out", key.toString());
        return out.lines().filter(l -> l.startsWith(TRUSTED_KEY)).findFirst()
                .map(l -> l.substring(TRUSTED_KEY.length()).strip())
                .orElseThrow(() -> new AssertionError("repo keygen printed no trusted-key line: " + out));
    }

    /** The config a client needs to upgrade from a feed served at {@code repository}, signed by {@code trustedKey}. */
    static String clientConfig(String repository, String trustedKey, Object stateDir) {
        return "repository = " + repository + "\n" + TRUSTED_KEY + trustedKey + "\nstate-dir = " + stateDir + "\n";
    }

    /** The config a client needs to upgrade from this feed served at {@code repository}. */
    String clientConfig(String repository, Object stateDir) {
        return clientConfig(repository, trustedKey, stateDir);
    }

    /** Adds {@code module} with {@code repo add}'s {@code options}; returns the sha256 the blob is stored under. */
    String add(Path module, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("repo", "add", repo.toString(), module.toString()));
        args.addAll(List.of(options));
        String out = pv(args.toArray(String[]::new));
        Matcher m = SHA256.matcher(out);
        if (!m.find()) {
            throw new AssertionError("repo add printed no sha256: " + out);
        }
        return m.group(1);
    }

    /** Signs the index with the publisher key, as every change to the feed needs before clients accept it. */
    void sign() throws IOException {
        signWith(key);
    }

    /** Signs the index with some other key, which clients that trust only the publisher's must refuse. */
    void signWith(Path otherKey) throws IOException {
        pv("repo", "sign", repo.toString(), "--key", otherKey.toString());
    }

    private static String pv(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(HostScripts.projectRoot().resolve("bin/patchvisor").toString()));
        argv.addAll(List.of(args));
        return HostScripts.run(120, argv.toArray(String[]::new));
    }
}
