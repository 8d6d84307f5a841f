package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values in patchvisor.conf are checked when the file is read, each refusal one line naming the file, the line
 * and the reason: an empty or relative path must not mean "the current directory", a bad URL must not wait until
 * fetch time, and a bad byte or key must not surface as the JDK's own cryptic text.
 */
class ConfigValuesTest {
    @TempDir
    Path tmp;
    final String key = Ed25519Keys.base64(Ed25519Keys.generate().getPublic());

    private FeedConfigException refused(String text) throws Exception {
        Path file = tmp.resolve("patchvisor.conf");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> FeedConfig.from(ConfigFile.read(file)));
        assertTrue(e.getMessage().startsWith(file.toString()) || e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    private FeedConfig accepted(String text) throws Exception {
        Path file = tmp.resolve("patchvisor.conf");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return FeedConfig.from(ConfigFile.read(file));
    }

    @Test
    void emptyValuesAreRefusedNotTheCurrentDirectory() throws Exception {
        FeedConfigException stateDir = refused("repository = /srv/feed\ntrusted-key = " + key + "\nstate-dir =\n");
        assertTrue(stateDir.getMessage().contains("line 3") && stateDir.getMessage().contains("'state-dir' has no value"),
                stateDir.getMessage());
        FeedConfigException repository = refused("repository =   \ntrusted-key = " + key + "\n");
        assertTrue(repository.getMessage().contains("line 1") && repository.getMessage().contains("'repository'"),
                repository.getMessage());
    }

    @Test
    void relativePathsAreRefused() throws Exception {
        FeedConfigException stateDir = refused("repository = /srv/feed\ntrusted-key = " + key + "\nstate-dir = state\n");
        assertTrue(stateDir.getMessage().contains("line 3: state-dir 'state' is a relative path"), stateDir.getMessage());
        FeedConfigException repository = refused("repository = mirror/feed\ntrusted-key = " + key + "\n");
        assertTrue(repository.getMessage().contains("line 1: repository 'mirror/feed' is a relative path"),
                repository.getMessage());
        FeedConfig ok = accepted("repository = /srv/feed\nrepository = file:/srv/other\ntrusted-key = " + key
                + "\nstate-dir = /var/tmp/pv\n");
        assertEquals(List.of("/srv/feed", "file:/srv/other"), ok.repositories());
        assertEquals(Path.of("/var/tmp/pv"), ok.stateDir());
    }

    @Test
    void repositoryUrlsAreCheckedWhenReadNotWhenFetched() throws Exception {
        FeedConfigException port = refused("trusted-key = " + key + "\nrepository = https://feed.example:99999/\n");
        assertTrue(port.getMessage().contains("line 2: repository 'https://feed.example:99999/' has port 99999, outside 1..65535"),
                port.getMessage());
        FeedConfigException zero = refused("trusted-key = " + key + "\nrepository = http://feed.example:0/\n");
        assertTrue(zero.getMessage().contains("port 0"), zero.getMessage());
        FeedConfigException host = refused("trusted-key = " + key + "\nrepository = https:///feed/\n");
        assertTrue(host.getMessage().contains("has no host name"), host.getMessage());
        FeedConfigException syntax = refused("trusted-key = " + key + "\nrepository = https://feed example/\n");
        assertTrue(syntax.getMessage().contains("is not a valid URL"), syntax.getMessage());
        FeedConfigException scheme = refused("trusted-key = " + key + "\nrepository = ftp://feed.example/\n");
        assertTrue(scheme.getMessage().contains("unsupported scheme"), scheme.getMessage());
        FeedConfigException fileUrl = refused("trusted-key = " + key + "\nrepository = file://host/srv/feed\n");
        assertTrue(fileUrl.getMessage().contains("is not a local file: URL"), fileUrl.getMessage());
        FeedConfigException proxy = refused("trusted-key = " + key + "\nrepository = https://a/\nproxy = p:99999\n");
        assertTrue(proxy.getMessage().contains("line 3: proxy") && proxy.getMessage().contains("99999"),
                proxy.getMessage());
        assertEquals(List.of("https://feed.example:8443/"),
                accepted("trusted-key = " + key + "\nrepository = https://feed.example:8443/\n").repositories());
    }

    @Test
    void nonUtf8ConfigNamesTheFileAndLine() throws Exception {
        Path file = tmp.resolve("patchvisor.conf");
        byte[] head = ("repository = /srv/feed\ntrusted-key = " + key + "\nstate-dir = /var/lib/p").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xE9;
        bytes[head.length + 1] = '\n';
        Files.write(file, bytes);
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> ConfigFile.read(file));
        assertTrue(e.getMessage().contains(file + " line 3 is not UTF-8"), e.getMessage());
        assertFalse(e.getMessage().contains("Input length"), e.getMessage());
    }

    @Test
    void configThatIsADeviceIsRefusedWithoutReadingIt() {
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> ConfigFile.read(Path.of("/dev/zero")));
        assertTrue(e.getMessage().contains("/dev/zero") && e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void base64ThatIsNotAnEd25519KeyIsNamedSo() throws Exception {
        String rsaLike = Base64.getEncoder().encodeToString("certainly not a key".getBytes(StandardCharsets.US_ASCII));
        FeedConfigException e = refused("repository = /srv/feed\n\ntrusted-key = " + key + "\ntrusted-key = " + rsaLike + "\n");
        assertTrue(e.getMessage().contains("line 4: trusted-key: valid base64 but not an Ed25519 public key"),
                e.getMessage());
        assertFalse(e.getMessage().contains("IOException") || e.getMessage().contains("null"), e.getMessage());
        FeedConfigException notBase64 = refused("repository = /srv/feed\ntrusted-key = not*base64\n");
        assertTrue(notBase64.getMessage().contains("line 2: trusted-key: not an Ed25519 public key: not base64"),
                notBase64.getMessage());
    }

    @Test
    void unknownKeysAreListedWithTheirLines() throws Exception {
        Path file = tmp.resolve("patchvisor.conf");
        Files.writeString(file, "repository = /srv/feed\ntrusted-key = " + key + "\nstate_dir = /x\nrepostory = /y\n");
        assertThrows(FeedConfigException.class, () -> ConfigFile.read(file), "state_dir is not even a key");
        Files.writeString(file, "repository = /srv/feed\ntrusted-key = " + key + "\nrepostory = /y\nproxy = p:1\n");
        ConfigFile config = ConfigFile.read(file);
        assertEquals(List.of(file + " line 3: unknown key 'repostory' is ignored"), config.unknownKeys(FeedConfig.KEYS));
        assertEquals(List.of("/srv/feed"), FeedConfig.from(config).repositories());
    }
}
