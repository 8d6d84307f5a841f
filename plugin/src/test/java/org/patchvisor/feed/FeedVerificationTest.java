package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.model.KernelId;

/** The verification chain on a directory repository made with the real add/sign code, tampered in each way. */
class FeedVerificationTest {
    @TempDir
    Path tmp;
    FeedFixture fixture;
    BundleEntry entry;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new FeedFixture(tmp);
        entry = fixture.add("livepatch_cmdline", 1, FeedFixture.BUILD_ID);
        fixture.sign();
    }

    private Feed feed() throws IOException {
        return fixture.feed(fixture.repo.toString(), Map.of(), FeedFixture.fastLimits());
    }

    @Test
    void verifiedBundleIsFetchedIntoTheCacheOnce() throws IOException {
        Feed feed = feed();
        assertEquals(List.of(entry), feed.available(FeedFixture.KERNEL));
        Path module = feed.fetch(entry, FeedFixture.KERNEL);
        assertEquals(fixture.stateDir.resolve("cache/sha256/" + entry.sha256()), module);
        Files.delete(fixture.repo.resolve(entry.blobPath()));
        assertEquals(module, feed().fetch(entry), "second fetch is served from the cache");
        assertEquals(1, new FileFeedStateStore(fixture.stateDir).load().feeds().get(fixture.publisher.feedId()).serial());
    }

    @Test
    void flippedBlobByteIsRefused() throws IOException {
        Path blob = fixture.repo.resolve(entry.blobPath());
        byte[] data = Files.readAllBytes(blob);
        data[100] ^= 1;
        Files.write(blob, data);
        BlobMismatchException e = assertThrows(BlobMismatchException.class, () -> feed().fetch(entry));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertFalse(Files.exists(fixture.stateDir.resolve("cache/sha256/" + entry.sha256())));
    }

    @Test
    void tamperedIndexFailsTheSignature() throws IOException {
        Path index = fixture.repo.resolve("index.json");
        String text = Files.readString(index).replace("\"cumulativeLevel\":1", "\"cumulativeLevel\":9");
        Files.writeString(index, text);
        assertThrows(BadSignatureException.class, () -> feed().available(FeedFixture.KERNEL));
        assertFalse(Files.exists(fixture.stateDir.resolve("feed")), "no state written on failure");
    }

    @Test
    void indexSignedByAnotherKeyIsUnknown() throws IOException {
        fixture.publisher.sign(SigningKey.generate(), Duration.ofDays(1));
        UnknownKeyException e = assertThrows(UnknownKeyException.class, () -> feed().available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("untrusted key"), e.getMessage());
    }

    @Test
    void expiredIndexIsRefused() throws IOException {
        Clock later = Clock.fixed(FeedFixture.NOW.plus(Duration.ofDays(8)), ZoneOffset.UTC);
        Feed feed = Feed.open(FeedConfig.from(ConfigFile.read(fixture.config(fixture.repo.toString()))), Map.of(),
                later, FeedFixture.fastLimits(), line -> { });
        assertThrows(ExpiredIndexException.class, () -> feed.available(FeedFixture.KERNEL));
    }

    @Test
    void olderSerialIsAReplay() throws IOException {
        byte[] oldIndex = Files.readAllBytes(fixture.repo.resolve("index.json"));
        byte[] oldSig = Files.readAllBytes(fixture.repo.resolve("index.json.sig"));
        fixture.add("livepatch_second", 2, FeedFixture.BUILD_ID);
        assertEquals(2, fixture.sign().serial());
        assertEquals(2, feed().available(FeedFixture.KERNEL).size());
        Files.write(fixture.repo.resolve("index.json"), oldIndex);
        Files.write(fixture.repo.resolve("index.json.sig"), oldSig);
        RollbackException e = assertThrows(RollbackException.class, () -> feed().available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("serial 1"), e.getMessage());
        FeedState state = new FileFeedStateStore(fixture.stateDir).load();
        assertEquals(2, state.feeds().get(fixture.publisher.feedId()).serial(), state.toString());
    }

    @Test
    void bundleForAnotherKernelIsNotOfferedNorFetched() throws IOException {
        KernelId other = new KernelId(FeedFixture.RELEASE, "#1", "x86_64", Optional.of("ffff" + "0".repeat(36)));
        Feed feed = feed();
        assertTrue(feed.available(other).isEmpty(), "same release, different build-id: not this kernel");
        assertThrows(WrongKernelException.class, () -> feed.fetch(entry, other));
        KernelId releaseOnly = new KernelId(FeedFixture.RELEASE, "#1", "x86_64", Optional.empty());
        assertEquals(List.of(entry), feed.available(releaseOnly), "release fallback when the host knows no build-id");
    }

    @Test
    void signedButMalformedIndexIsReported() throws IOException {
        byte[] garbage = "{\"format\":1,\"serial\":\"many\"".getBytes(StandardCharsets.UTF_8);
        Files.write(fixture.repo.resolve("index.json"), garbage);
        String sig = Base64.getEncoder().encodeToString(Ed25519Keys.sign(fixture.key.privateKey(), garbage));
        Files.write(fixture.repo.resolve("index.json.sig"), CanonicalJson.write(
                new SignatureFile(List.of(new IndexSignature(fixture.key.keyId(), sig)))));
        assertThrows(MalformedIndexException.class, () -> feed().available(FeedFixture.KERNEL));
        Files.writeString(fixture.repo.resolve("index.json.sig"), "not json");
        assertThrows(MalformedIndexException.class, () -> feed().available(FeedFixture.KERNEL));
    }

    @Test
    void oversizedBlobIsCutAtTheAnnouncedSize() throws IOException {
        Files.write(fixture.repo.resolve(entry.blobPath()), new byte[(int) entry.size() + 1]);
        assertThrows(DownloadTooLargeException.class, () -> feed().fetch(entry));
    }

    @Test
    void unlistedBundleIsNotFetched() throws IOException {
        BundleEntry forged = new BundleEntry("evil-1", "evil", entry.sha256(), entry.size(), 1, List.of(), List.of(),
                null, null, List.of(), entry.kernels(), entry.channels(), null);
        assertThrows(UnknownBundleException.class, () -> feed().fetch(forged));
    }

    @Test
    void newestCumulativeSkipsWhatIsCovered() throws IOException {
        BundleEntry second = fixture.add("livepatch_second", 2, FeedFixture.BUILD_ID);
        fixture.sign();
        Feed feed = feed();
        assertEquals(Optional.of(second), feed.newestCumulative(FeedFixture.KERNEL, List.of()));
        assertEquals(Optional.of(second), feed.newestCumulative(FeedFixture.KERNEL, List.of("livepatch_cmdline")));
        assertEquals(Optional.empty(), feed.newestCumulative(FeedFixture.KERNEL, List.of("livepatch_second")));
    }
}
