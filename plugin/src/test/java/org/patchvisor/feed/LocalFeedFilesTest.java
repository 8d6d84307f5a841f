package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.UnsafeFileException;

/**
 * A directory feed and the host's blob cache hold only regular files: a link to {@code /dev/zero} used to end in
 * OutOfMemoryError, a FIFO in a hang, and a link to a secret put its first token into the error message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalFeedFilesTest {
    static final String SECRET = "root:$6$hunter2hash:19000:0:99999:7:::";
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

    private void replaceWithLink(String name, Path target) throws IOException {
        Path file = fixture.repo.resolve(name);
        Files.delete(file);
        Files.createSymbolicLink(file, target);
    }

    private static void mkfifo(Path path) throws Exception {
        Process process = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, process.waitFor(), "mkfifo " + path);
    }

    @Test
    void indexLinkedToDevZeroIsRefusedNotReadIntoMemory() throws IOException {
        replaceWithLink("index.json", Path.of("/dev/zero"));
        FeedUnreachableException e = assertThrows(FeedUnreachableException.class, () -> feed().available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("index.json is a symbolic link, not a regular file"), e.getMessage());
        replaceWithLink("index.json.sig", Path.of("/dev/zero"));
        assertThrows(FeedUnreachableException.class, () -> feed().available(FeedFixture.KERNEL));
    }

    @Test
    void signatureThatIsAFifoIsRefusedWithoutWaiting() throws Exception {
        Files.delete(fixture.repo.resolve("index.json.sig"));
        mkfifo(fixture.repo.resolve("index.json.sig"));
        FeedUnreachableException e = assertThrows(FeedUnreachableException.class, () -> feed().available(FeedFixture.KERNEL));
        assertTrue(e.getMessage().contains("index.json.sig is a device, FIFO or socket"), e.getMessage());
    }

    @Test
    void signatureLinkedToASecretNeverShowsIt() throws IOException {
        Path shadow = tmp.resolve("shadow");
        Files.writeString(shadow, SECRET + "\n");
        replaceWithLink("index.json.sig", shadow);
        FeedException linked = assertThrows(FeedException.class, () -> feed().available(FeedFixture.KERNEL));
        assertFalse(linked.getMessage().contains("root") || linked.getMessage().contains("hunter2"), linked.getMessage());

        // Even a regular file that is not JSON is reported by position, not by its first token.
        Files.delete(fixture.repo.resolve("index.json.sig"));
        Files.copy(shadow, fixture.repo.resolve("index.json.sig"));
        MalformedIndexException copied = assertThrows(MalformedIndexException.class, () -> feed().available(FeedFixture.KERNEL));
        assertTrue(copied.getMessage().contains("index.json.sig of " + fixture.repo + " is not valid JSON (at line 1"),
                copied.getMessage());
        assertFalse(copied.getMessage().contains("root") || copied.getMessage().contains("hunter2"), copied.getMessage());
    }

    @Test
    void blobLinkedElsewhereIsRefused() throws IOException {
        replaceWithLink(entry.blobPath(), Path.of("/dev/zero"));
        FeedUnreachableException e = assertThrows(FeedUnreachableException.class, () -> feed().fetch(entry));
        assertTrue(e.getMessage().contains("is a symbolic link, not a regular file"), e.getMessage());
    }

    @Test
    void cacheEntryLinkedToDevZeroOrAFifoIsRefused() throws Exception {
        Path cached = feed().fetch(entry);
        Files.delete(cached);
        Files.createSymbolicLink(cached, Path.of("/dev/zero"));
        UnsafeFileException link = assertThrows(UnsafeFileException.class, () -> feed().fetch(entry));
        assertTrue(link.getMessage().contains(cached + " is a symbolic link"), link.getMessage());
        Files.delete(cached);
        mkfifo(cached);
        assertThrows(UnsafeFileException.class, () -> feed().fetch(entry));
        Files.delete(cached);
        Files.write(cached, new byte[(int) entry.size()]);
        assertEquals(cached, feed().fetch(entry), "a damaged regular copy is fetched again");
        assertEquals(entry.sha256(), org.patchvisor.io.Sha256.of(cached));
    }
}
