package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever serves a feed controls the bytes of {@code index.json.sig} (and a publisher's mistake those of a signed
 * index): {@code [null]} entries and repeated keys are malformed files, each one {@link MalformedIndexException}
 * line, never a NullPointerException or Jackson's "No fallback setter/field defined for creator property".
 */
class IndexJsonTest {
    @TempDir
    Path tmp;
    FeedFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new FeedFixture(tmp);
        fixture.add("livepatch_cmdline", 1, FeedFixture.BUILD_ID);
        fixture.sign();
    }

    private MalformedIndexException refusedWith(String signatureFile) throws IOException {
        Files.writeString(fixture.repo.resolve("index.json.sig"), signatureFile);
        Feed feed = fixture.feed(fixture.repo.toString(), Map.of(), FeedFixture.fastLimits());
        MalformedIndexException e = assertThrows(MalformedIndexException.class, () -> feed.available(FeedFixture.KERNEL));
        assertFalse(e.getMessage().contains("NullPointerException") || e.getMessage().contains("null)\""), e.getMessage());
        return e;
    }

    /** Signs {@code index} (as written) with the pinned key, so only its content can be refused. */
    private MalformedIndexException signedIndexRefused(String index) throws IOException {
        byte[] bytes = index.getBytes(StandardCharsets.UTF_8);
        Files.write(fixture.repo.resolve("index.json"), bytes);
        String sig = Base64.getEncoder().encodeToString(Ed25519Keys.sign(fixture.key.privateKey(), bytes));
        Files.write(fixture.repo.resolve("index.json.sig"), CanonicalJson.write(
                new SignatureFile(List.of(new IndexSignature(fixture.key.keyId(), sig)))));
        Feed feed = fixture.feed(fixture.repo.toString(), Map.of(), FeedFixture.fastLimits());
        return assertThrows(MalformedIndexException.class, () -> feed.available(FeedFixture.KERNEL));
    }

    @Test
    void nullSignatureEntryIsMalformed() throws IOException {
        MalformedIndexException e = refusedWith("{\"signatures\":[null]}");
        assertTrue(e.getMessage().contains("index.json.sig of " + fixture.repo
                + " is malformed: the signature list has an empty (null) entry at position 1"), e.getMessage());
        MalformedIndexException second = refusedWith("{\"signatures\":[{\"keyid\":\"00\",\"sig\":\"AA==\"},null]}");
        assertTrue(second.getMessage().contains("at position 2"), second.getMessage());
    }

    @Test
    void repeatedKeyInTheSignatureFileIsMalformed() throws IOException {
        MalformedIndexException e = refusedWith("{\"signatures\":[],\"signatures\":[]}");
        assertTrue(e.getMessage().contains("the key 'signatures' appears twice"), e.getMessage());
    }

    @Test
    void repeatedKeyInASignedIndexIsMalformed() throws IOException {
        MalformedIndexException e = signedIndexRefused("{\"bundles\":[],\"created\":\"2025-01-10T00:00:00Z\","
                + "\"expires\":\"2025-02-10T00:00:00Z\",\"format\":1,\"serial\":5,\"serial\":1}");
        assertTrue(e.getMessage().contains("index.json of " + fixture.repo
                + " is malformed: the key 'serial' appears twice in one object"), e.getMessage());
        assertFalse(e.getMessage().contains("fallback"), e.getMessage());
    }

    @Test
    void nullBundleOrTargetInASignedIndexIsMalformed() throws IOException {
        MalformedIndexException bundle = signedIndexRefused("{\"bundles\":[null],\"created\":\"2025-01-10T00:00:00Z\","
                + "\"expires\":\"2025-02-10T00:00:00Z\",\"format\":1,\"serial\":5}");
        assertTrue(bundle.getMessage().contains("the bundle list has an empty (null) entry"), bundle.getMessage());
        MalformedIndexException target = signedIndexRefused("{\"bundles\":[{\"cumulativeLevel\":1,\"id\":\"b-1\","
                + "\"kernels\":[null],\"module\":\"b\",\"sha256\":\"" + "0".repeat(64) + "\",\"size\":3}],"
                + "\"created\":\"2025-01-10T00:00:00Z\",\"expires\":\"2025-02-10T00:00:00Z\",\"format\":1,\"serial\":5}");
        assertTrue(target.getMessage().contains("bundle b-1: 'kernels' has an empty (null) entry"), target.getMessage());
    }
}
