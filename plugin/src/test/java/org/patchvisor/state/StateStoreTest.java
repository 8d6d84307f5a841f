package org.patchvisor.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.Sha256;
import org.patchvisor.model.KernelId;

class StateStoreTest {

    static final KernelId HOST = new KernelId("6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1",
            "x86_64", Optional.of("AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12"));
    static final KernelId CLOUD = new KernelId("6.1.0-56-cloud-amd64", "#1 SMP", "x86_64", Optional.empty());
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path stateDir;
    @TempDir
    Path userDir;

    @Test
    void nothingRecordedReadsAsEmpty() throws IOException {
        assertEquals(List.of(), new StateStore(stateDir).installed(HOST));
        assertEquals(List.of(), new StateStore(stateDir).kernels());
    }

    @Test
    void recordsPatchesInLoadOrderAndKeepsItsOwnCopyOfEachModule() throws IOException {
        StateStore store = new StateStore(stateDir);
        Path moduleA = module("livepatch_a.ko", "code of a");
        Path moduleB = module("livepatch_b.ko", "code of b");
        InstalledPatch a = patch("livepatch_a", moduleA, List.of(), false);
        InstalledPatch b = patch("livepatch_b", moduleB, List.of(), false);

        store.recordInstalled(HOST, a, moduleA);
        store.recordInstalled(HOST, b, moduleB);
        Files.delete(moduleA);
        Files.writeString(moduleB, "the operator rebuilt it");

        List<InstalledPatch> reloaded = new StateStore(stateDir).installed(HOST);
        assertEquals(List.of(a, b), reloaded);
        assertEquals(stateDir.resolve("modules").resolve(a.sha256() + ".ko"), store.modulePath(a));
        assertEquals("code of a", Files.readString(store.modulePath(reloaded.get(0))));
        assertEquals("code of b", Files.readString(store.modulePath(reloaded.get(1))));
        assertTrue(Files.isRegularFile(stateDir.resolve("kernels/ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12/installed.json")));
        assertEquals(List.of(), store.installed(CLOUD), "records are per kernel");
        assertEquals(List.of(HOST), store.kernels());
    }

    @Test
    void identicalModulesAreStoredOnce() throws IOException {
        StateStore store = new StateStore(stateDir);
        Path first = module("first.ko", "same bytes");
        Path second = module("second.ko", "same bytes");
        InstalledPatch onHost = patch("livepatch_same", first, List.of(), false);
        InstalledPatch onCloud = patch("livepatch_same", second, List.of(), false);

        store.recordInstalled(HOST, onHost, first);
        store.recordInstalled(CLOUD, onCloud, second);

        assertEquals(List.of(onHost.sha256() + ".ko"), list(stateDir.resolve("modules")));
        assertTrue(store.recordRemoved(HOST, "livepatch_same"));
        assertTrue(Files.exists(store.modulePath(onCloud)), "still referenced by the other kernel");
        assertTrue(store.recordRemoved(CLOUD, "livepatch_same"));
        assertEquals(List.of(), list(stateDir.resolve("modules")));
    }

    @Test
    void recordingTheSamePatchAgainReplacesItsRecord() throws IOException {
        StateStore store = new StateStore(stateDir);
        Path a1 = module("a1.ko", "a version 1");
        Path b = module("b.ko", "b");
        Path a2 = module("a2.ko", "a version 2");
        store.recordInstalled(HOST, patch("livepatch_a", a1, List.of(), false), a1);
        store.recordInstalled(HOST, patch("livepatch_b", b, List.of(), false), b);
        InstalledPatch newer = patch("livepatch_a", a2, List.of(), false);
        store.recordInstalled(HOST, newer, a2);

        assertEquals(List.of("livepatch_b", "livepatch_a"), names(store.installed(HOST)));
        assertEquals(newer, store.installed(HOST).get(1));
        assertFalse(Files.exists(stateDir.resolve("modules").resolve(Sha256.of("a version 1".getBytes()) + ".ko")));
    }

    @Test
    void aCumulativePatchDropsThePatchesItReplaces() throws IOException {
        StateStore store = new StateStore(stateDir);
        Path one = module("one.ko", "fix 1");
        Path two = module("two.ko", "fix 2");
        Path other = module("other.ko", "unrelated fix");
        Path cumulative = module("cumulative.ko", "fix 1 + fix 2 + fix 3");
        store.recordInstalled(HOST, patch("livepatch_1", one, List.of(), false), one);
        store.recordInstalled(HOST, patch("livepatch_other", other, List.of(), false), other);
        store.recordInstalled(HOST, patch("livepatch_2", two, List.of(), false), two);

        InstalledPatch three = patch("livepatch_3", cumulative, List.of("livepatch_1", "livepatch_2"), true);
        store.recordInstalled(HOST, three, cumulative);

        assertEquals(List.of("livepatch_other", "livepatch_3"), names(store.installed(HOST)));
        assertTrue(store.installed(HOST).get(1).cumulative());
        assertEquals(2, list(stateDir.resolve("modules")).size(), "modules of replaced patches are pruned");
    }

    @Test
    void removingReportsWhetherThePatchWasRecorded() throws IOException {
        StateStore store = new StateStore(stateDir);
        Path a = module("a.ko", "a");
        store.recordInstalled(HOST, patch("livepatch_a", a, List.of(), false), a);

        assertFalse(store.recordRemoved(HOST, "livepatch_nope"));
        assertFalse(store.recordRemoved(CLOUD, "livepatch_a"));
        assertTrue(store.recordRemoved(HOST, "livepatch_a"));
        assertEquals(List.of(), store.installed(HOST));
        assertEquals(List.of(HOST), store.kernels(), "the kernel keeps an (empty) record");
    }

    @Test
    void refusesAModuleWhoseDigestDiffersFromTheRecord() throws IOException {
        Path a = module("a.ko", "a");
        InstalledPatch claimed = patch("livepatch_a", a, List.of(), false);
        Files.writeString(a, "changed after checking");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StateStore(stateDir).recordInstalled(HOST, claimed, a));
        assertTrue(e.getMessage().contains("livepatch_a"), e.getMessage());
        assertEquals(List.of(), new StateStore(stateDir).installed(HOST));
    }

    @Test
    void aRecordMadeByReleaseIsFoundOnceTheBuildIdIsKnownAndMovesToIt() throws IOException {
        KernelId byRelease = new KernelId(HOST.release(), HOST.version(), HOST.machine(), Optional.empty());
        StateStore store = new StateStore(stateDir);
        Path a = module("a.ko", "a");
        Path b = module("b.ko", "b");
        store.recordInstalled(byRelease, patch("livepatch_a", a, List.of(), false), a);
        assertTrue(Files.exists(stateDir.resolve("kernels/6.1.0-56-amd64/installed.json")));

        assertEquals(List.of("livepatch_a"), names(store.installed(HOST)));
        store.recordInstalled(HOST, patch("livepatch_b", b, List.of(), false), b);

        assertEquals(List.of("livepatch_a", "livepatch_b"), names(store.installed(HOST)));
        assertFalse(Files.exists(stateDir.resolve("kernels/6.1.0-56-amd64")));
        assertEquals(List.of(HOST), store.kernels());
    }

    @Test
    void keysAreSafeDirectoryNames() {
        assertEquals("6.1.0-56-cloud-amd64", StateStore.key(CLOUD));
        assertEquals("__.._etc_passwd", StateStore.key(new KernelId("../../etc/passwd", "v", "m", Optional.empty())));
        assertEquals("ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12", StateStore.key(HOST));
        assertEquals("_", StateStore.key(new KernelId("..", "v", "m", Optional.empty())));
    }

    @Test
    void corruptJsonIsReportedNamingTheFile() throws IOException {
        Path file = stateDir.resolve("kernels/6.1.0-56-cloud-amd64/installed.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"kernel\": {\"release\": \"6.1.0-56-cloud-amd64\"}, \"patches\": [ {\"patchName\": ");

        StateCorruptException e = assertThrows(StateCorruptException.class, () -> new StateStore(stateDir).installed(CLOUD));
        assertTrue(e.getMessage().startsWith("state file " + file + " is corrupt ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("); repair or remove it"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Path module = module("a.ko", "a");
        assertThrows(StateCorruptException.class,
                () -> new StateStore(stateDir).recordInstalled(CLOUD, patch("livepatch_a", module, List.of(), false), module),
                "a corrupt record is never overwritten as if it were empty");
    }

    @Test
    void invalidValuesInTheJsonAreCorruptionToo() throws IOException {
        Path file = stateDir.resolve("kernels/6.1.0-56-cloud-amd64/installed.json");
        Files.createDirectories(file.getParent());
        String badDigest = "{\"patches\": [{\"patchName\": \"p\", \"moduleName\": \"p\", \"sha256\": \"xyz\","
                + " \"size\": 1, \"installedAt\": \"2024-05-01T12:00:00Z\", \"replaces\": [], \"cumulative\": false}]}";
        for (String content : List.of(badDigest, badDigest.replace("\"xyz\"", "\"" + "a".repeat(64) + "\"")
                .replace("2024-05-01T12:00:00Z", "yesterday"), "[]", "null", "{}")) {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            StateCorruptException e = assertThrows(StateCorruptException.class,
                    () -> new StateStore(stateDir).installed(CLOUD), content);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void validatesInstalledPatchValues() {
        String digest = "A".repeat(64);
        InstalledPatch upper = new InstalledPatch("p", "p", digest, 1, T0, null, null, false);
        assertEquals("a".repeat(64), upper.sha256());
        assertEquals("", upper.source());
        assertEquals(List.of(), upper.replaces());
        assertThrows(IllegalArgumentException.class, () -> new InstalledPatch(" ", "p", digest, 1, T0, "", List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new InstalledPatch("p", "p", "abc", 1, T0, "", List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new InstalledPatch("p", "p", digest, -1, T0, "", List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new InstalledPatch("p", "p", digest, 1, T0, "", List.of("p"), true));
    }

    private Path module(String name, String content) throws IOException {
        return Files.writeString(userDir.resolve(name), content);
    }

    private static InstalledPatch patch(String name, Path module, List<String> replaces, boolean cumulative)
            throws IOException {
        return new InstalledPatch(name, name, Sha256.of(module), Files.size(module), T0,
                "file:" + module, replaces, cumulative);
    }

    private static List<String> names(List<InstalledPatch> patches) {
        return patches.stream().map(InstalledPatch::patchName).toList();
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
