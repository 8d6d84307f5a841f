package org.patchvisor.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

    public SampleFeed(Path dir) throws IOException {
        Path repo = dir.resolve("repo");
        PublisherRepository publisher = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        publisher.init();
        publisher.add(SAMPLE, new BundleSpec(List.of(), List.of("CVE-2024-1086"), Optional.empty(),
                Optional.of("6.1.0-57-amd64"), List.of(), 1, List.of()));
        SigningKey key = SigningKey.generate();
        publisher.sign(key, Duration.ofDays(3));
        stateDir = dir.resolve("state");
        config = dir.resolve("patchvisor.conf");
        Files.writeString(config, "repository = " + repo + "\ntrusted-key = " + Ed25519Keys.base64(key.publicKey())
                + "\nstate-dir = " + stateDir + "\n");
    }

    public Feed open() throws IOException {
        return Feed.open(FeedConfig.from(ConfigFile.read(config)), Map.of(), Clock.systemUTC(), FetchLimits.defaults(),
                line -> { });
    }
}
