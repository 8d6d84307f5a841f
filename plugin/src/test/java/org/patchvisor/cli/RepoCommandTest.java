package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.publish.SigningKey;
import picocli.CommandLine;

/** The publisher commands end to end through picocli: keygen, init, add (fake inspector), sign, mirror. */
class RepoCommandTest {
    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    private static ModuleInfo info(Path module) {
        boolean livepatch = !module.getFileName().toString().startsWith("plain");
        return new ModuleInfo("livepatch_fix", "6.1.0-56-amd64 SMP mod_unload ", livepatch, Optional.of("GPL"),
                Optional.empty(), List.of(), false);
    }

    @Test
    void publishAndMirror() throws Exception {
        Path key = tmp.resolve("feed.key");
        Path repo = tmp.resolve("repo");
        assertEquals(0, run(new RepoKeygenCommand(), "--out", key.toString()), err.toString());
        String trusted = out.toString().lines().filter(l -> l.startsWith("trusted-key = ")).findFirst().orElseThrow()
                .substring("trusted-key = ".length());
        assertTrue(out.toString().matches("(?s).*key id: +[0-9a-f]{16}.*"), out.toString());
        assertTrue(Files.readString(key).contains("BEGIN PRIVATE KEY"));
        assertTrue(Files.readString(Path.of(key + ".pub")).contains("BEGIN PUBLIC KEY"));
        assertEquals(1, run(new RepoKeygenCommand(), "--out", key.toString()), "never overwrites a key");

        assertEquals(0, run(new RepoInitCommand(), repo.toString()));
        Path module = tmp.resolve("livepatch_fix.ko");
        Files.write(module, new byte[] {1, 2, 3, 4, 5});
        assertEquals(0, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), module.toString(),
                "--cve", "CVE-2024-1086", "--description", "fix", "--effective-version", "6.1.0-57",
                "--cumulative-level", "3", "--replaces", "livepatch_old", "--function", "cmdline_proc_show",
                "--kernel", "0123456789abcdef0123456789abcdef01234567"), err.toString());
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", key.toString(), "--expires", "2d"));
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", key.toString()));
        FeedIndex index = CanonicalJson.read(Files.readAllBytes(repo.resolve("index.json")), FeedIndex.class, "index");
        assertEquals(2, index.serial(), "serial strictly increases");
        BundleEntry entry = index.bundles().get(0);
        assertEquals(3, entry.cumulativeLevel());
        assertEquals(List.of("CVE-2024-1086"), entry.cves());
        assertEquals(List.of("livepatch_old"), entry.replaces());
        assertEquals("0123456789abcdef0123456789abcdef01234567", entry.kernels().get(0).buildId());
        assertEquals(5, entry.size());

        Path mirror = tmp.resolve("mirror");
        assertEquals(0, run(new RepoMirrorCommand(), repo.toUri().toString(), mirror.toString(),
                "--trusted-key", trusted), err.toString());
        assertTrue(Files.exists(mirror.resolve(entry.blobPath())));
        assertEquals(-1, Files.mismatch(repo.resolve("index.json"), mirror.resolve("index.json")));

        Files.write(repo.resolve(entry.blobPath()), new byte[] {9, 9, 9, 9, 9});
        Path second = tmp.resolve("mirror2");
        assertEquals(1, run(new RepoMirrorCommand(), repo.toString(), second.toString(), "--trusted-key", trusted));
        assertTrue(err.toString().contains("sha256"), err.toString());
        assertTrue(!Files.exists(second.resolve("index.json")), "a failed mirror publishes no index");
    }

    @Test
    void aMirrorWhoseOwnIndexCannotBeReadIsRefusedAndLeftAsItIs() throws Exception {
        Path key = tmp.resolve("feed.key");
        Path repo = tmp.resolve("repo");
        assertEquals(0, run(new RepoKeygenCommand(), "--out", key.toString()), err.toString());
        String trusted = out.toString().lines().filter(l -> l.startsWith("trusted-key = ")).findFirst().orElseThrow()
                .substring("trusted-key = ".length());
        assertEquals(0, run(new RepoInitCommand(), repo.toString()));
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", key.toString()), err.toString());

        // Its index is what the feed-id and rollback checks compare with: unreadable is refused, never taken for none.
        Path garbled = tmp.resolve("garbled");
        Files.createDirectories(garbled);
        Files.writeString(garbled.resolve("index.json"), "{\"serial\": 7, \u001b[2J");
        err.getBuffer().setLength(0);
        assertEquals(1, run(new RepoMirrorCommand(), repo.toString(), garbled.toString(), "--trusted-key", trusted));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("patchvisor repo mirror: " + garbled.resolve("index.json")), err.toString());
        assertTrue(!err.toString().contains("\u001b"), "escaped: " + err);
        assertEquals("{\"serial\": 7, \u001b[2J", Files.readString(garbled.resolve("index.json")));

        Path linked = tmp.resolve("linked");
        Files.createDirectories(linked);
        Files.createSymbolicLink(linked.resolve("index.json"), repo.resolve("index.json"));
        err.getBuffer().setLength(0);
        assertEquals(1, run(new RepoMirrorCommand(), repo.toString(), linked.toString(), "--trusted-key", trusted));
        assertTrue(err.toString().contains("symbolic link"), err.toString());
        assertTrue(Files.isSymbolicLink(linked.resolve("index.json")), "the link is left as it was");
    }

    @Test
    void channelsRevocationsAndKeyRotationThroughTheCommands() throws Exception {
        Path oldKey = tmp.resolve("old.key");
        Path newKey = tmp.resolve("new.key");
        Path repo = tmp.resolve("repo");
        assertEquals(0, run(new RepoKeygenCommand(), "--out", oldKey.toString()));
        assertEquals(0, run(new RepoKeygenCommand(), "--out", newKey.toString()));
        assertEquals(0, run(new RepoInitCommand(), repo.toString(), "--feed-id", "acme-livepatch"), err.toString());
        assertTrue(out.toString().contains("(feed acme-livepatch)"), out.toString());
        assertEquals(1, run(new RepoInitCommand(), tmp.resolve("other").toString(), "--feed-id", "No Good"));
        Path module = tmp.resolve("livepatch_fix.ko");
        Files.write(module, new byte[] {1, 2, 3, 4, 5});
        assertEquals(0, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), module.toString(),
                "--channel", "testing"), err.toString());
        String id = out.toString().lines().filter(l -> l.startsWith("added ")).findFirst().orElseThrow().split(" ")[1];
        assertEquals(0, run(new RepoPromoteCommand(), repo.toString(), id, "--to", "stable"), err.toString());
        assertTrue(out.toString().contains("promoted " + id + " to stable (in stable, testing)"), out.toString());
        assertEquals(1, run(new RepoPromoteCommand(), repo.toString(), id, "--to", "stable"), "already there");
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", oldKey.toString()), err.toString());
        assertTrue(out.toString().contains("feed acme-livepatch, serial 1, 1 bundle(s), 0 revoked"), out.toString());

        assertEquals(0, run(new RepoRevokeCommand(), repo.toString(), "livepatch_fix", "--reason", "oops in tcp_ack"));
        assertTrue(out.toString().contains("revoked " + id + " (livepatch_fix, sha256 "), out.toString());
        assertEquals(1, run(new RepoRevokeCommand(), repo.toString(), "livepatch_fix", "--reason", "again"),
                "nothing left to revoke");
        assertEquals(1, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), module.toString()),
                "a revoked bundle is never published again");
        assertTrue(err.toString().contains("was revoked"), err.toString());

        assertEquals(0, run(new RepoRotateKeyCommand(), repo.toString(), "--old", oldKey.toString(), "--new",
                newKey.toString()), err.toString());
        assertTrue(out.toString().contains("signed by both"), out.toString());
        String index = Files.readString(repo.resolve("index.json"));
        assertTrue(index.contains("\"serial\":2") && index.contains("\"revoked\":[{") && index.contains("\"retiredKeys\":["),
                index);
        assertEquals(2, Files.readString(repo.resolve("index.json.sig")).split("\"keyid\"").length - 1);
        assertEquals(1, run(new RepoSignCommand(), repo.toString(), "--key", oldKey.toString()),
                "the retired key alone signs nothing hosts would take");
        assertTrue(err.toString().contains("retired"), err.toString());
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", newKey.toString(), "--key",
                oldKey.toString()), err.toString());
        String newKeyId = SigningKey.read(newKey).keyId();
        assertEquals(0, run(new RepoRevokeKeyCommand(), repo.toString(), newKeyId), err.toString());
        assertEquals(1, run(new RepoRevokeKeyCommand(), repo.toString(), newKeyId), "retired already");
    }

    @Test
    void aMirrorFollowsAKeyRotationAsHostsDo() throws Exception {
        Path oldKey = tmp.resolve("old.key");
        Path newKey = tmp.resolve("new.key");
        Path repo = tmp.resolve("repo");
        Path mirror = tmp.resolve("mirror");
        assertEquals(0, run(new RepoKeygenCommand(), "--out", oldKey.toString()));
        String trustedOld = out.toString().lines().filter(l -> l.startsWith("trusted-key = ")).findFirst()
                .orElseThrow().substring("trusted-key = ".length());
        assertEquals(0, run(new RepoKeygenCommand(), "--out", newKey.toString()));
        assertEquals(0, run(new RepoInitCommand(), repo.toString()));
        assertEquals(0, run(new RepoRotateKeyCommand(), repo.toString(), "--old", oldKey.toString(), "--new",
                newKey.toString()), err.toString());
        assertEquals(0, run(new RepoMirrorCommand(), repo.toString(), mirror.toString(), "--trusted-key", trustedOld),
                err.toString());
        assertEquals(0, run(new RepoSignCommand(), repo.toString(), "--key", newKey.toString()), err.toString());
        assertEquals(0, run(new RepoMirrorCommand(), repo.toString(), mirror.toString(), "--trusted-key", trustedOld),
                "the mirror learned the new key from the rotation it copied: " + err);
        // An index signed only by the retired key is not copied in, whatever the mirror's --trusted-key says.
        Path forged = tmp.resolve("forged");
        assertEquals(0, run(new RepoInitCommand(), forged.toString()));
        Files.copy(repo.resolve("feed-id"), forged.resolve("feed-id"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(forged.resolve("index.json"), Files.readString(repo.resolve("index.json"))
                .replaceFirst("\"serial\":\\d+", "\"serial\":90"));
        assertEquals(0, run(new RepoSignCommand(), forged.toString(), "--key", oldKey.toString()), err.toString());
        assertEquals(1, run(new RepoMirrorCommand(), forged.toString(), mirror.toString(), "--trusted-key",
                trustedOld));
        assertTrue(err.toString().contains("retired"), err.toString());
    }

    @Test
    void badInputGetsOneLine() throws Exception {
        Path repo = tmp.resolve("repo");
        Path module = tmp.resolve("plain.ko");
        Files.write(module, new byte[] {1});
        assertEquals(1, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), module.toString()));
        assertTrue(err.toString().contains("is not a repository"), err.toString());
        run(new RepoInitCommand(), repo.toString());
        assertEquals(1, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), module.toString()));
        assertTrue(err.toString().contains("is not a live patch"), err.toString());
        Path patch = tmp.resolve("livepatch_fix.ko");
        Files.write(patch, new byte[] {1});
        assertEquals(1, run(new RepoAddCommand(RepoCommandTest::info), repo.toString(), patch.toString(),
                "--kernel", "5.10.0-1-amd64"));
        assertTrue(err.toString().contains("built for 6.1.0-56-amd64"), err.toString());
        assertEquals(1, run(new RepoSignCommand(), repo.toString(), "--key", tmp.resolve("missing.key").toString()));
        assertEquals(1, err.toString().lines().filter(l -> l.contains("missing.key")).count());
    }
}
