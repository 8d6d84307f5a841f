package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.state.StateLockedException;
import org.patchvisor.time.Ticker;

/**
 * The klp-build backend against a FAKE scripts/livepatch/klp-build (src/test/resources/fake-klp-build: no kernel
 * source that carries the real one installs here), put into a small kernel source tarball. The fake takes the real
 * script's options, insists on the kernel's root directory, applies and reverses the fix with git apply, and writes
 * a real live-patch module (the livepatch_sample.ko fixture, built for 6.1.0-56-amd64).
 */
class KlpBuildTest {
    private static final String RELEASE = "6.1.0-56-amd64";

    @TempDir
    Path root;
    private SmallKernelSource source;
    private Path cache;
    private Path module;

    @BeforeEach
    void machine() throws IOException, URISyntaxException {
        source = SmallKernelSource.install(root, RELEASE);
        source.tarball(SmallKernelSource.MAKEFILE, KlpBuild.SCRIPT,
                Path.of(getClass().getResource("/fake-klp-build/klp-build").toURI()));
        cache = root.resolve("cache").resolve(RELEASE);
        module = root.resolve("livepatch_sample.ko");
        try (InputStream in = getClass().getResourceAsStream("/elf/livepatch_sample.ko")) {
            Files.write(module, in.readAllBytes());
        }
    }

    @Test
    void theModuleKlpBuildMakesInTheKernelRootIsCheckedAndCopied() throws IOException {
        Path out = root.resolve("out/pv_fix.ko");
        FakeToolRunner fake = fake("ok");
        build(fake, true, out);
        assertArrayEquals(Files.readAllBytes(module), Files.readAllBytes(out));
        Path output = cache.resolve("klp-output");
        assertEquals("cwd=" + cache.resolve("tree") + " output=" + output.resolve("pv_fix.ko")
                + " replace=1 kernelrelease=" + RELEASE + "\n",
                Files.readString(output.resolve("fake-klp-build.args")));
        assertEquals(SmallKernelSource.UNIT, Files.readString(cache.resolve("tree/fs/unit.c")), "fix reversed");
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.FOREIGN)));
    }

    @Test
    void theComparisonAndTheBuildShareOneHoldOfTheTree() throws IOException {
        FakeToolRunner fake = fake("ok");
        KlpBuild klp = new KlpBuild(fake, Duration.ofMinutes(5));
        try (KernelSourceTree tree = KernelSourceTree.open(cache, fake, klp.program())) {
            klp.checkTree(tree, inputs(fake));
            FixComparison.Result compared = new FixComparison(cache, fake, Ticker.SYSTEM)
                    .compare(tree, fix(), inputs(fake), List.of());
            assertEquals(List.of("visible"), List.copyOf(compared.report().changedFunctionNames()));
            assertThrows(StateLockedException.class, () -> KernelSourceTree.open(cache, fake, "check-fix"));
            klp.build(tree, fix(), inputs(fake), "pv_fix", false, root.resolve("out/pv_fix.ko"));
        }
        assertTrue(Files.readString(cache.resolve("klp-output/fake-klp-build.args")).contains(" replace=0 "));
        KernelSourceTree.open(cache, fake, "check-fix").close();
    }

    @Test
    void aFailedBuildSaysWhatKlpBuildSaid() throws IOException {
        BuildException e = assertThrows(BuildException.class, () -> build(fake("fail"), true, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertEquals("klp-build failed: no changed objects found", e.getMessage());
        assertFalse(Files.exists(root.resolve("x.ko")));
        // Its trap reversed the fix, but a run that failed midway may have left its own edits: made again.
        assertFalse(Files.exists(cache.resolve("tree")), "a tree klp-build did not finish with cleanly is discarded");
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.FOREIGN)));
    }

    @Test
    void aFailedCommandIsNamedWhenKlpBuildGaveNoReason() throws IOException {
        BuildException e = assertThrows(BuildException.class,
                () -> build(fake("make-fails"), true, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertTrue(e.getMessage().matches("klp-build failed: line \\d+: 'make -s vmlinux\\.o'"), e.getMessage());
    }

    @Test
    void aRelativeSourceCacheStillRunsKlpBuildInTheTree() throws IOException {
        // --source-cache as typed: the tool runs from inside the tree, so every path it is given must be absolute.
        Path relative = Path.of("").toAbsolutePath().relativize(root.resolve("cache"));
        Path fixFile = source.fix("return x * 3;", "return x * 4;");
        FixCheck check = FixCheck.locate(root, RELEASE, fixFile, Optional.empty(), Optional.empty(), relative,
                fake("ok"), Ticker.SYSTEM);
        KlpBuild klp = check.klpBuild(Duration.ofMinutes(5));
        Path out = root.resolve("rel.ko");
        try (KernelSourceTree tree = check.openTree(klp.program())) {
            klp.build(tree, check.fix(), check.source(), "pv_fix", true, out);
        }
        assertArrayEquals(Files.readAllBytes(module), Files.readAllBytes(out));
    }

    @Test
    void aTreeLeftPatchedIsMadeAgain() throws IOException {
        assertThrows(BuildException.class, () -> build(fake("killed"), true, root.resolve("x.ko")));
        assertFalse(Files.exists(cache.resolve("tree")), "a tree klp-build left patched is discarded");
        build(fake("ok"), true, root.resolve("y.ko"));
        assertEquals(SmallKernelSource.UNIT, Files.readString(cache.resolve("tree/fs/unit.c")));
    }

    @Test
    void aKernelSourceWithoutKlpBuildIsRefusedOnceTheTreeIsHeld() throws IOException {
        source.tarball(SmallKernelSource.MAKEFILE);
        FakeToolRunner fake = fake("ok");
        KlpBuild klp = new KlpBuild(fake, Duration.ofMinutes(5));
        try (KernelSourceTree tree = KernelSourceTree.open(cache, fake, klp.program())) {
            BuildException e = assertThrows(BuildException.class, () -> klp.checkTree(tree, inputs(fake)));
            assertEquals(BuildException.Reason.REFUSED, e.reason());
            assertEquals("the source of Linux 6.1.192 has no scripts/livepatch/klp-build (the kernel's own live-patch "
                    + "builder arrived in Linux 6.19); use --backend patchvisor, or kpatch-build", e.getMessage());
        }
        assertTrue(fake.argvs.stream().noneMatch(a -> a.contains("bash")), fake.argvs.toString());
    }

    @Test
    void badNamesAndMissingToolsAreRefusedBeforeAnythingRuns() throws BuildException {
        FakeToolRunner fake = fake("ok");
        BuildException e = assertThrows(BuildException.class,
                () -> new KlpBuild(fake, Duration.ofMinutes(1)).preflight("pv-fix"));
        assertEquals("'pv-fix' is not a module name klp-build keeps (letters, digits, _; at most 55)",
                e.getMessage());
        assertThrows(BuildException.class, () -> new KlpBuild(fake, Duration.ofMinutes(1)).preflight("a".repeat(56)));
        new KlpBuild(fake, Duration.ofMinutes(1)).preflight("a".repeat(55));
        e = assertThrows(BuildException.class, () -> new KlpBuild(new SystemProcessRunner("/nonexistent"),
                Duration.ofMinutes(1)).preflight("pv_fix"));
        assertEquals("klp-build needs bash, git, gawk, make, not installed here (apt-get install bash git gawk make)",
                e.getMessage());
        assertTrue(fake.argvs.isEmpty(), fake.argvs.toString());
    }

    private void build(FakeToolRunner fake, boolean replace, Path out) throws IOException {
        KlpBuild klp = new KlpBuild(fake, Duration.ofMinutes(5));
        try (KernelSourceTree tree = KernelSourceTree.open(cache, fake, klp.program())) {
            klp.build(tree, fix(), inputs(fake), "pv_fix", replace, out);
        }
    }

    private FixPatch fix() throws IOException {
        return FixPatch.read(source.fix("return x * 3;", "return x * 4;"));
    }

    private KernelSource inputs(ProcessRunner processes) throws IOException {
        return KernelSource.locate(root, RELEASE, Optional.empty(), Optional.empty(), processes);
    }

    /** The klp-build run ("env -C TREE ... bash SCRIPT ARGS") gets the fake's mode and module in its environment. */
    private FakeToolRunner fake(String mode) {
        // gawk: the real klp-build reads the fix with it, the fake does not; Debian installs mawk by default.
        return new FakeToolRunner("bash", List.of("FAKE_KLP_MODE=" + mode, "FAKE_KLP_MODULE=" + module, "bash"),
                Set.of("gawk"));
    }
}
