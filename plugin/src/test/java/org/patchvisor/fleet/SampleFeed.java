package org.patchvisor.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;

/**
 * A signed feed repository, published with the real publisher, holding the sample live patch for the fake guest's
 * kernel, and the config file that trusts it: what fleet and CLI tests patch guests from.
 */
public final class SampleFeed {
    /** The sample live-patch module, built for 6.1.0-56-amd64 (the kernel a {@code FakeGuest} runs). */
    public static final Path SAMPLE = Path.of("src/test/resources/elf/livepatch_sample.ko").toAbsolutePath();
    /** The module name the sample loads as. */
    public static final String PATCH = "livepatch_sample";

    public final Path config;
    public final Path stateDir;
    private final Path dir;
    private final PublisherRepository publisher;
    private final SigningKey key;

    public SampleFeed(Path dir) throws IOException {
        this.dir = dir;
        Path repo = dir.resolve("repo");
        publisher = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        publisher.init();
        publisher.add(SAMPLE, new BundleSpec(List.of(), List.of("CVE-2024-1086"), Optional.empty(),
                Optional.of("6.1.0-57-amd64"), List.of(), 1, List.of()));
        key = SigningKey.generate();
        publisher.sign(key, Duration.ofDays(3));
        stateDir = dir.resolve("state");
        config = dir.resolve("patchvisor.conf");
        Files.writeString(config, "repository = " + repo + "\ntrusted-key = " + Ed25519Keys.base64(key.publicKey())
                + "\nstate-dir = " + stateDir + "\n");
    }

    /**
     * Publishes a second live patch for the same kernel, module {@code name} (16 characters, as the sample's name:
     * the sample's file renamed in place), then revokes it and signs: a patch guests may still run.
     */
    public void publishAndRevoke(String name, String reason) throws IOException {
        Path module = renamedSample(dir, name);
        publisher.add(module, new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(), List.of(), 1,
                List.of()));
        publisher.revoke(name, reason);
        publisher.sign(key, Duration.ofDays(3));
    }

    /**
     * The sample module under another name of the same length (so the ELF layout stays), written into {@code dir}:
     * a second real live patch for tests that need two.
     */
    public static Path renamedSample(Path dir, String name) throws IOException {
        byte[] bytes = Files.readAllBytes(SAMPLE);
        byte[] from = PATCH.getBytes(StandardCharsets.US_ASCII);
        byte[] to = name.getBytes(StandardCharsets.US_ASCII);
        if (from.length != to.length) {
            throw new IllegalArgumentException("the name must have " + from.length + " characters");
        }
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, bytes, i, to.length);
            }
        }
        Path module = dir.resolve(name + ".ko");
        Files.write(module, bytes);
        return module;
    }

    public Feed open() throws IOException {
        return Feed.open(FeedConfig.from(ConfigFile.read(config)), Map.of(), Clock.systemUTC(), FetchLimits.defaults(),
                line -> { });
    }
}
