package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;

/**
 * Feed trust across mirrors, revocations, channels and key rotation, on repositories made with the real publisher
 * code: each rule of {@link IndexVerifier} and {@link Feed}, and what a host remembers in {@link FeedState}.
 */
class FeedTrustTest {
    @TempDir
    Path tmp;
    FeedFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new FeedFixture(tmp);
    }

    private Feed feed(String... repositories) throws IOException {
        return feedAt(fixture.clock, repositories);
    }

    private Feed feedAt(Clock clock, String... repositories) throws IOException {
        String[] more = new String[repositories.length - 1];
        for (int i = 1; i < repositories.length; i++) {
            more[i - 1] = "repository = " + repositories[i];
        }
        return fixture.feedAt(clock, repositories[0], more);
    }

    private static Clock at(Duration after) {
        return Clock.fixed(FeedFixture.NOW.plus(after), ZoneOffset.UTC);
    }

    @Test
    void aSecondMirrorOfTheSameFeedCannotServeAnOlderSerial() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        Path stale = fixture.copy("mirror-b");
        fixture.add("lp_two", 2, FeedFixture.BUILD_ID);
        assertEquals(2, fixture.sign().serial());
        assertEquals(2, feed(fixture.repo.toString()).available(FeedFixture.KERNEL).size());
        RollbackException e = assertThrows(RollbackException.class,
                () -> feed(stale.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("serial 1") && e.getMessage().contains("serial 2"), e.getMessage());
    }

    @Test
    void aRepositoryThatStartsServingAnotherFeedIsRefused() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        feed(fixture.repo.toString()).available(FeedFixture.KERNEL);
        // Another feed, signed by the same trusted key, put where the first one was.
        Path other = tmp.resolve("other");
        PublisherRepository publisher = new PublisherRepository(other, FeedFixture::moduleInfo, fixture.clock);
        publisher.init(Optional.of("other-feed-0001"));
        publisher.sign(fixture.key, Duration.ofDays(7));
        Files.copy(other.resolve("index.json"), fixture.repo.resolve("index.json"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(other.resolve("index.json.sig"), fixture.repo.resolve("index.json.sig"),
                StandardCopyOption.REPLACE_EXISTING);
        FeedIdChangedException e = assertThrows(FeedIdChangedException.class,
                () -> feed(fixture.repo.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("other-feed-0001"), e.getMessage());
    }

    @Test
    void aMirrorTheHostNeverUsedCannotServeAnotherFeedOrAFormatOneIndex() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.add("lp_two", 2, FeedFixture.BUILD_ID);
        fixture.sign();
        Path unused = tmp.resolve("mirror-b");
        assertEquals(2, feed(fixture.repo.toString(), unused.toString()).available(FeedFixture.KERNEL).size());
        // The first mirror goes down; the second, never used yet, serves another feed signed by the same key.
        Path live = fixture.repo.resolveSibling("repo-down");
        Files.move(fixture.repo, live);
        PublisherRepository other = new PublisherRepository(unused, FeedFixture::moduleInfo, fixture.clock);
        other.init(Optional.of("staging-feed-1"));
        other.sign(fixture.key, Duration.ofDays(7));
        FeedIdChangedException e = assertThrows(FeedIdChangedException.class,
                () -> feed(fixture.repo.toString(), unused.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("staging-feed-1"), e.getMessage());
        // Nor can it serve an index of format 1, which names no feed.
        writeSignedTo(unused, ("{\"bundles\":[],\"created\":\"2025-01-10T00:00:00Z\",\"expires\":"
                + "\"2025-02-10T00:00:00Z\",\"format\":1,\"serial\":9}").getBytes(StandardCharsets.UTF_8), fixture.key);
        assertThrows(FeedIdChangedException.class,
                () -> feed(fixture.repo.toString(), unused.toString()).available(FeedFixture.KERNEL));
    }

    @Test
    void theSerialsAnEarlierHostKeptForAnyConfiguredMirrorAreFloors() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        Path other = tmp.resolve("mirror-b");
        Path legacy = new FileSerialStore(fixture.stateDir).fileFor(other.toString());
        Files.createDirectories(legacy.getParent());
        Files.writeString(legacy, "7\n");
        RollbackException e = assertThrows(RollbackException.class,
                () -> feed(fixture.repo.toString(), other.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("older than serial 7"), e.getMessage());
    }

    @Test
    void anIndexThatWouldFloodTheHostsStateIsRefusedAndNothingIsSaved() {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i <= FeedIndex.MAX_KEYS; i++) {
            keys.append(i == 0 ? "" : ",").append('"').append(String.format("%016x", i)).append('"');
        }
        String index = "{\"bundles\":[],\"created\":\"2025-01-10T00:00:00Z\",\"expires\":\"2025-02-10T00:00:00Z\","
                + "\"feed\":\"feed-0000000001\",\"format\":2,\"retiredKeys\":[" + keys + "],\"serial\":2}";
        MalformedIndexException e = assertThrows(MalformedIndexException.class, () -> CanonicalJson.read(
                index.getBytes(StandardCharsets.UTF_8), FeedIndex.class, "index.json"));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
        assertThrows(MalformedIndexException.class, () -> CanonicalJson.read(index.replace(String.format("%016x", 1),
                "not-a-key-id").getBytes(StandardCharsets.UTF_8), FeedIndex.class, "index.json"));
    }

    @Test
    void aDelayCountsFromTheFirstSignedIndexThatShowsTheBundleInTheChannel() throws IOException {
        BundleEntry added = fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        // Added now, published two days later: a host waiting a day still waits.
        PublisherRepository later = new PublisherRepository(fixture.repo, FeedFixture::moduleInfo, at(Duration.ofDays(2)));
        later.sign(fixture.key, Duration.ofDays(7));
        Feed host = fixture.feedAt(at(Duration.ofDays(2).plusHours(1)), fixture.repo.toString(), "delay = 24h");
        assertTrue(host.eligible(FeedFixture.KERNEL).isEmpty(), "published an hour ago: " + host.heldBack(FeedFixture.KERNEL));
        assertEquals(FeedFixture.NOW.plus(Duration.ofDays(2)), later.bundles().get(0).channelTimes().get("stable"),
                "the manifest keeps the publication time: " + added);
        PublisherRepository again = new PublisherRepository(fixture.repo, FeedFixture::moduleInfo, at(Duration.ofDays(5)));
        again.sign(fixture.key, Duration.ofDays(7));
        assertEquals(FeedFixture.NOW.plus(Duration.ofDays(2)), again.bundles().get(0).channelTimes().get("stable"),
                "signing again keeps it");
    }

    @Test
    void mirrorsAreTriedInOrderAndTheFirstGoodIndexIsTheOnlyOne() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        Path second = fixture.copy("mirror-b");
        fixture.add("lp_two", 2, FeedFixture.BUILD_ID);
        fixture.sign();
        Path missing = tmp.resolve("nowhere");
        Feed feed = feed(missing.toString(), second.toString(), fixture.repo.toString());
        List<BundleEntry> available = feed.available(FeedFixture.KERNEL);
        assertEquals(1, available.size(), "only the first mirror that verifies counts, never a mix: " + available);
        assertEquals(second.toString(), feed.repositoryOf(available.get(0)).orElseThrow());
        assertEquals(1, fixture.warnings.size(), fixture.warnings.toString());
        assertTrue(fixture.warnings.get(0).contains(missing.toString()), fixture.warnings.toString());
    }

    @Test
    void aTamperedMirrorIsPassedOverWithAWarningAndItsFailureWinsWhenNoneVerifies() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        Path tampered = fixture.copy("tampered");
        byte[] index = Files.readAllBytes(tampered.resolve("index.json"));
        index[index.length / 2] ^= 1;
        Files.write(tampered.resolve("index.json"), index);
        Feed feed = feed(tampered.toString(), fixture.repo.toString());
        assertEquals(1, feed.available(FeedFixture.KERNEL).size());
        assertTrue(fixture.warnings.get(0).contains("tampered"), fixture.warnings.toString());
        Path missing = tmp.resolve("nowhere");
        assertThrows(BadSignatureException.class,
                () -> feed(missing.toString(), tampered.toString()).available(FeedFixture.KERNEL));
    }

    @Test
    void aRevokedBundleLeavesTheListAndIsNeverFetchedAgainFromTheCacheOrAnotherMirror() throws IOException {
        BundleEntry bad = fixture.add("lp_bad", 2, FeedFixture.BUILD_ID);
        BundleEntry good = fixture.add("lp_good", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        Path oldMirror = fixture.copy("old-mirror");
        Feed before = feed(fixture.repo.toString());
        assertEquals(bad, before.newestCumulative(FeedFixture.KERNEL, List.of()).orElseThrow());
        before.fetch(bad, FeedFixture.KERNEL);
        List<Revocation> revoked = fixture.publisher.revoke(bad.id(), "crashes on boot with a bond device");
        assertEquals(1, revoked.size());
        FeedIndex signed = fixture.sign();
        assertEquals(List.of(bad.sha256()), signed.revoked().stream().map(Revocation::sha256).toList());

        Feed after = feed(fixture.repo.toString());
        assertEquals(List.of(good), after.available(FeedFixture.KERNEL));
        assertEquals(good, after.newestCumulative(FeedFixture.KERNEL, List.of()).orElseThrow());
        RevokedBundleException cached = assertThrows(RevokedBundleException.class, () -> after.fetch(bad));
        assertTrue(cached.getMessage().contains("crashes on boot"), cached.getMessage());
        assertEquals(List.of(new RevokedPatches.InUse("lp_bad", revoked.get(0))),
                after.revokedInUse(FeedFixture.KERNEL, List.of("lp_bad", "lp_good"), Map.of(), Map.of()));

        // A copy of the feed made before the revocation, under another feed id, still lists the bundle.
        Path elsewhere = tmp.resolve("elsewhere");
        PublisherRepository other = new PublisherRepository(elsewhere, FeedFixture::moduleInfo, fixture.clock);
        other.init(Optional.of("another-feed-1"));
        Files.createDirectories(elsewhere.resolve("blobs/sha256"));
        Files.copy(oldMirror.resolve(bad.blobPath()), elsewhere.resolve(bad.blobPath()));
        Files.copy(oldMirror.resolve("bundles/" + bad.id() + ".json"), elsewhere.resolve("bundles/" + bad.id() + ".json"));
        other.sign(fixture.key, Duration.ofDays(7));
        Feed third = feed(elsewhere.toString());
        assertTrue(third.available(FeedFixture.KERNEL).isEmpty(), "this host remembers the revocation");
        assertThrows(RevokedBundleException.class, () -> third.fetch(bad));
    }

    @Test
    void aPatchWithARecordIsJudgedByItsFileAndOneWithoutByItsNameUnlessAGoodBundleSharesIt() {
        Revocation revocation = new Revocation("lp-aaaa", "lp", "a".repeat(64), "wrong fix", FeedFixture.NOW.toString(), null);
        BundleEntry goodSameName = new BundleEntry("lp-bbbb", "lp", "b".repeat(64), 10, 2, List.of(), List.of(),
                null, null, List.of(), List.of(new KernelTarget(FeedFixture.RELEASE, null)), null, null);
        assertEquals(1, RevokedPatches.find(List.of("lp"), Map.of(), Map.of("lp", "a".repeat(64)), List.of(revocation),
                List.of(goodSameName)).size());
        assertTrue(RevokedPatches.find(List.of("lp"), Map.of(), Map.of("lp", "b".repeat(64)), List.of(revocation),
                List.of(goodSameName)).isEmpty());
        assertTrue(RevokedPatches.find(List.of("lp"), Map.of(), Map.of(), List.of(revocation), List.of(goodSameName)).isEmpty(),
                "without a record, a good bundle of the same name cannot be told apart");
        assertEquals(1, RevokedPatches.find(List.of("lp"), Map.of(), Map.of(), List.of(revocation), List.of()).size());
    }

    @Test
    void theBuildIdTheKernelShowsTellsARevokedBuildFromAGoodRebuildOfTheSameName() {
        String badBuild = "ba".repeat(20);
        String goodBuild = "60".repeat(20);
        Revocation revocation = new Revocation("lp-aaaa", "lp", "a".repeat(64), "wrong fix", FeedFixture.NOW.toString(),
                badBuild);
        BundleEntry rebuilt = new BundleEntry("lp-bbbb", "lp", "b".repeat(64), 10, 2, List.of(), List.of(), null, null,
                List.of(), List.of(new KernelTarget(FeedFixture.RELEASE, null)), null, goodBuild);
        assertEquals(1, RevokedPatches.find(List.of("lp"), Map.of("lp", badBuild), Map.of(), List.of(revocation),
                List.of(rebuilt)).size(), "the revoked build, though a good bundle has its name");
        assertTrue(RevokedPatches.find(List.of("lp"), Map.of("lp", goodBuild), Map.of(), List.of(revocation),
                List.of(rebuilt)).isEmpty(), "the good rebuild stays");
        assertTrue(RevokedPatches.find(List.of("lp"), Map.of("lp", goodBuild), Map.of(), List.of(revocation),
                List.of()).isEmpty(), "another build of the name is not the revoked one");
    }

    @Test
    void aHostTakesOnlyItsChannelAfterTheDelayAndUpToItsLevel() throws IOException {
        BundleEntry testing = fixture.publisher.add(fixture.module("lp_next", 5000),
                new BundleSpec(List.of(), List.of(), Optional.empty(),
                        Optional.empty(), List.of(), 2, List.of(), "testing"));
        BundleEntry stable = fixture.add("lp_now", 1, FeedFixture.RELEASE);
        fixture.sign();
        Feed stableHost = feed(fixture.repo.toString());
        assertEquals(List.of(stable), stableHost.eligible(FeedFixture.KERNEL));
        assertTrue(stableHost.heldBack(FeedFixture.KERNEL).get(testing).contains("not in channel stable"));

        Feed testingHost = fixture.feedAt(fixture.clock, fixture.repo.toString(), "channel = testing");
        assertTrue(testingHost.eligible(FeedFixture.KERNEL).contains(testing));

        fixture.publisher.promote(testing.id(), "stable");
        PublisherRepository later = new PublisherRepository(fixture.repo, FeedFixture::moduleInfo, at(Duration.ofHours(1)));
        later.sign(fixture.key, Duration.ofDays(7));
        Feed delayed = fixture.feedAt(at(Duration.ofHours(2)), fixture.repo.toString(), "delay = 24h");
        String reason = delayed.heldBack(FeedFixture.KERNEL).get(later.bundles().stream()
                .filter(b -> b.id().equals(testing.id())).findFirst().orElseThrow());
        assertTrue(reason != null && reason.contains("waits 24h"), String.valueOf(reason));
        Feed ready = fixture.feedAt(at(Duration.ofHours(26)), fixture.repo.toString(), "delay = 24h");
        assertEquals(2, ready.eligible(FeedFixture.KERNEL).size());

        Feed pinned = fixture.feedAt(at(Duration.ofHours(26)), fixture.repo.toString(), "max-level = 1",
                "delay = 24h");
        assertEquals(1, pinned.eligible(FeedFixture.KERNEL).size());
    }

    @Test
    void aRotationIsLearnedOnceAndTheRetiredKeyIsRefusedAfterwards() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        fixture.sign();
        feed(fixture.repo.toString()).available(FeedFixture.KERNEL);
        byte[] oldOnlyIndex = Files.readAllBytes(fixture.repo.resolve("index.json"));
        SigningKey next = SigningKey.generate();
        FeedIndex rotated = fixture.publisher.rotateKey(fixture.key, next, Duration.ofDays(7));
        assertEquals(List.of(fixture.key.keyId()), rotated.retiredKeys());

        Feed learns = feed(fixture.repo.toString());
        assertEquals(List.of(next.keyId()), learns.index().learnedKeys());
        FeedState state = new FileFeedStateStore(fixture.stateDir).load();
        assertTrue(state.learnedKeys().containsKey(next.keyId()) && state.retiredKeys().contains(fixture.key.keyId()));

        fixture.publisher.sign(next, Duration.ofDays(7));
        assertEquals(1, feed(fixture.repo.toString()).available(FeedFixture.KERNEL).size(), "the new key alone");

        // An index signed only by the retired key (the attacker who stole it) is refused from now on.
        fixture.add("lp_evil", 9, FeedFixture.BUILD_ID);
        byte[] forged = new String(oldOnlyIndex, StandardCharsets.UTF_8).replace("\"serial\":1", "\"serial\":99")
                .getBytes(StandardCharsets.UTF_8);
        writeSigned(forged, fixture.key);
        RetiredKeyException e = assertThrows(RetiredKeyException.class,
                () -> feed(fixture.repo.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains(fixture.key.keyId()), e.getMessage());
    }

    @Test
    void aHostThatMissedTheRotationRefusesAnIndexSignedOnlyByTheNewKey() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        SigningKey next = SigningKey.generate();
        fixture.publisher.rotateKey(fixture.key, next, Duration.ofDays(7));
        fixture.publisher.sign(next, Duration.ofDays(7));
        UnknownKeyException e = assertThrows(UnknownKeyException.class,
                () -> feed(fixture.repo.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains(next.keyId()), e.getMessage());
    }

    @Test
    void aKeyAnnouncedWithoutItsSignatureIsNotLearned() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        SigningKey next = SigningKey.generate();
        fixture.publisher.rotateKey(fixture.key, next, Duration.ofDays(7));
        byte[] index = Files.readAllBytes(fixture.repo.resolve("index.json"));
        writeSigned(index, fixture.key);
        UnknownKeyException e = assertThrows(UnknownKeyException.class,
                () -> feed(fixture.repo.toString()).available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("not signed by it"), e.getMessage());
        assertTrue(new FileFeedStateStore(fixture.stateDir).load().learnedKeys().isEmpty());
    }

    @Test
    void aKeyRetiredOutrightIsRefusedOnceAnIndexSignedByAnotherTrustedKeySaidSo() throws IOException {
        fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        SigningKey second = SigningKey.generate();
        fixture.publisher.sign(List.of(fixture.key, second), Duration.ofDays(7));
        fixture.publisher.revokeKey(fixture.key.keyId());
        fixture.publisher.sign(second, Duration.ofDays(7));
        String both = "trusted-key = " + Ed25519Keys.base64(second.publicKey());
        assertEquals(1, fixture.feedAt(fixture.clock, fixture.repo.toString(), both).available(FeedFixture.KERNEL)
                .size());
        byte[] index = Files.readAllBytes(fixture.repo.resolve("index.json"));
        writeSigned(new String(index, StandardCharsets.UTF_8).replaceFirst("\"serial\":\\d+", "\"serial\":50")
                .getBytes(StandardCharsets.UTF_8), fixture.key);
        assertThrows(RetiredKeyException.class,
                () -> fixture.feedAt(fixture.clock, fixture.repo.toString(), both).available(FeedFixture.KERNEL));
    }

    @Test
    void aFormatOneIndexIsStillReadAsTheDefaultChannelOfAFeedNamedByItsRepository() throws IOException {
        BundleEntry entry = fixture.add("lp_one", 1, FeedFixture.BUILD_ID);
        String legacy = "{\"bundles\":[" + new String(CanonicalJson.write(new BundleEntry(entry.id(), entry.module(),
                entry.sha256(), entry.size(), 1, List.of(), List.of(), null, null, List.of(), entry.kernels(), null, null)),
                StandardCharsets.UTF_8) + "],\"created\":\"2025-01-10T00:00:00Z\",\"expires\":\"2025-02-10T00:00:00Z\","
                + "\"format\":1,\"serial\":3}";
        writeSigned(legacy.getBytes(StandardCharsets.UTF_8), fixture.key);
        Feed feed = feed(fixture.repo.toString());
        assertEquals(1, feed.eligible(FeedFixture.KERNEL).size());
        assertTrue(feed.index().feedId().startsWith("repo-"), feed.index().feedId());
    }

    @Test
    void malformedRevocationsChannelsAndKeysAreOneLineEach() {
        String head = "{\"bundles\":[],\"created\":\"2025-01-10T00:00:00Z\",\"expires\":\"2025-02-10T00:00:00Z\","
                + "\"feed\":\"feed-0000000001\",\"format\":2,";
        for (String tail : List.of(
                "\"revoked\":[{\"bundle\":\"x-1\",\"module\":\"x\",\"sha256\":\"zz\",\"reason\":\"r\","
                        + "\"revoked\":\"2025-01-10T00:00:00Z\"}],\"serial\":2}",
                "\"revoked\":[{\"bundle\":\"x-1\",\"module\":\"x\",\"sha256\":\"" + "a".repeat(64) + "\",\"reason\":"
                        + "\"two\\nlines\",\"revoked\":\"2025-01-10T00:00:00Z\"}],\"serial\":2}",
                "\"keys\":[{\"keyid\":\"0000000000000000\",\"publicKey\":\"" + Ed25519Keys.base64(
                        SigningKey.generate().publicKey()) + "\"}],\"serial\":2}",
                "\"revoked\":[null],\"serial\":2}")) {
            MalformedIndexException e = assertThrows(MalformedIndexException.class, () -> CanonicalJson.read(
                    (head + tail).getBytes(StandardCharsets.UTF_8), FeedIndex.class, "index.json"));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertThrows(MalformedIndexException.class, () -> CanonicalJson.read(("{\"bundles\":[],\"created\":"
                + "\"2025-01-10T00:00:00Z\",\"expires\":\"2025-02-10T00:00:00Z\",\"format\":2,\"serial\":2}")
                .getBytes(StandardCharsets.UTF_8), FeedIndex.class, "index.json"), "format 2 needs a feed id");
        assertThrows(IllegalArgumentException.class, () -> BundleEntry.requireChannel("Stable Channel"));
    }

    /** Replaces the repository's index with {@code index}, signed by {@code key} alone. */
    private void writeSigned(byte[] index, SigningKey key) throws IOException {
        writeSignedTo(fixture.repo, index, key);
    }

    private static void writeSignedTo(Path repository, byte[] index, SigningKey key) throws IOException {
        byte[] sig = Ed25519Keys.sign(key.privateKey(), index);
        SignatureFile file = new SignatureFile(List.of(new IndexSignature(key.keyId(),
                Base64.getEncoder().encodeToString(sig))));
        Files.createDirectories(repository);
        Files.write(repository.resolve("index.json.sig"), CanonicalJson.write(file));
        Files.write(repository.resolve("index.json"), index);
    }
}
