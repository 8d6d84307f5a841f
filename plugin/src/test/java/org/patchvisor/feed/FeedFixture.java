package org.patchvisor.feed;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.ModuleInfo;

/** A publisher repository built with the real add/sign code, a host config pointing at it, and a host kernel. */
final class FeedFixture {
    static final Instant NOW = Instant.parse("2025-01-10T12:00:00Z");
    static final String RELEASE = "6.1.0-56-amd64";
    static final String BUILD_ID = "0123456789abcdef0123456789abcdef01234567";
    static final KernelId KERNEL = new KernelId(RELEASE, "#1 SMP Debian", "x86_64", Optional.of(BUILD_ID));

    final Path root;
    final Path repo;
    final Path stateDir;
    final SigningKey key = SigningKey.generate();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final PublisherRepository publisher;
    /** What the feeds this fixture opened warned about (a mirror passed over). */
    final List<String> warnings = new ArrayList<>();

    FeedFixture(Path root) throws IOException {
        this.root = root;
        this.repo = root.resolve("repo");
        this.stateDir = root.resolve("state");
        this.publisher = new PublisherRepository(repo, module -> moduleInfo(module), clock);
        publisher.init();
    }

    /** The fake inspector: name from the file name, always a live patch for {@link #RELEASE}. */
    static ModuleInfo moduleInfo(Path module) {
        String name = module.getFileName().toString().replace(".ko", "");
        return new ModuleInfo(name, RELEASE + " SMP preempt mod_unload modversions ", true,
                Optional.of("GPL"), Optional.empty(), List.of(), false);
    }

    Path module(String name, int size) throws IOException {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + name.hashCode());
        }
        Path file = root.resolve(name + ".ko");
        Files.write(file, data);
        return file;
    }

    BundleEntry add(String name, int level, String... kernels) throws IOException {
        BundleSpec spec = new BundleSpec(List.of(kernels), List.of("CVE-2024-1086"), Optional.of("fix " + name),
                Optional.of("6.1.0-57"), List.of(), level, List.of("cmdline_proc_show"));
        return publisher.add(module(name, 4096 + level), spec);
    }

    FeedIndex sign() throws IOException {
        return publisher.sign(key, Duration.ofDays(7));
    }

    String trustedKey() {
        return Ed25519Keys.base64(key.publicKey());
    }

    Path config(String repository, String... extraLines) throws IOException {
        StringBuilder text = new StringBuilder("# test config\nrepository = " + repository + "\n")
                .append("trusted-key = ").append(trustedKey()).append('\n')
                .append("state-dir = ").append(stateDir).append('\n');
        for (String line : extraLines) {
            text.append(line).append('\n');
        }
        Path file = root.resolve("patchvisor.conf");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    Feed feed(String repository, Map<String, String> env, FetchLimits limits, String... extraLines) throws IOException {
        return Feed.open(FeedConfig.from(ConfigFile.read(config(repository, extraLines))), env, clock, limits,
                warnings::add);
    }

    /** The feed as a host sees it at {@code hostClock}, with the fixture's config around {@code repository}. */
    Feed feedAt(Clock hostClock, String repository, String... extraLines) throws IOException {
        return Feed.open(FeedConfig.from(ConfigFile.read(config(repository, extraLines))), Map.of(), hostClock,
                fastLimits(), warnings::add);
    }

    /** A copy of the repository as it is now (a mirror, or an old state to replay later). */
    Path copy(String name) throws IOException {
        Path target = root.resolve(name);
        try (var files = Files.walk(repo)) {
            for (Path file : files.toList()) {
                Path to = target.resolve(repo.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    static FetchLimits fastLimits() {
        return new FetchLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20, 1 << 20);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
