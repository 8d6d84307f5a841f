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
 * The kpatch-build backend against a FAKE kpatch-build (src/test/resources/fake-kpatch-build: kpatch cannot be
 * installed here), which takes the real tool's options, applies and reverses the fix in the source tree it is
 * given, and writes a real live-patch module (the livepatch_sample.ko fixture, built for 6.1.0-56-amd64).
 */
class KpatchBuildTest {
    private static final String RELEASE = "6.1.0-56-amd64";

    @TempDir
    Path root;
    private SmallKernelSource source;
    private Path cache;
    private Path vmlinux;
    private Path module;

    @BeforeEach
    void machine() throws IOException {
        source = SmallKernelSource.install(root, RELEASE);
        cache = root.resolve("cache").resolve(RELEASE);
        vmlinux = Files.createDirectories(root.resolve("usr/lib/debug/boot")).resolve("vmlinux-" + RELEASE);
        Files.writeString(vmlinux, "not really an ELF; the fake only checks it exists\n");
        module = root.resolve("livepatch_sample.ko");
        try (InputStream in = getClass().getResourceAsStream("/elf/livepatch_sample.ko")) {
            Files.write(module, in.readAllBytes());
        }
    }

    @Test
    void theModuleKpatchBuildMakesIsCheckedAndCopied() throws IOException {
        Path out = root.resolve("out/pv_fix.ko");
        FakeToolRunner fake = fake("ok");
        kpatch(cache, fake, vmlinux).build(fix(), inputs(fake), "pv_fix", true, out);
        assertArrayEquals(Files.readAllBytes(module), Files.readAllBytes(out));
        String args = Files.readString(cache.resolve("kpatch-output/fake-kpatch-build.args"));
        assertEquals("sourcedir=" + cache.resolve("tree") + " config=" + root.resolve("usr/src/linux-headers-"
                + RELEASE + "/.config") + " vmlinux=" + vmlinux + " name=pv_fix replace=1 cachedir="
                + cache.resolve("kpatch-cache") + " kernelrelease=" + RELEASE + "\n", args);
        assertEquals(SmallKernelSource.UNIT, Files.readString(cache.resolve("tree/fs/unit.c")));
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.FOREIGN)));
    }

    @Test
    void theComparisonAndTheBuildShareOneHoldOfTheTree() throws IOException {
        FakeToolRunner fake = fake("ok");
        try (KernelSourceTree tree = KernelSourceTree.open(cache, fake, KpatchBuild.PROGRAM)) {
            FixComparison.Result compared = new FixComparison(cache, fake, Ticker.SYSTEM)
                    .compare(tree, fix(), inputs(fake), List.of());
            assertEquals(List.of("visible"), List.copyOf(compared.report().changedFunctionNames()),
                    "helper is inlined");
            // Between the two steps the tree stays taken: another check is locked out, this build goes on.
            assertThrows(StateLockedException.class, () -> KernelSourceTree.open(cache, fake, "check-fix"));
            kpatch(cache, fake, vmlinux).build(tree, fix(), inputs(fake), "pv_fix", true,
                    root.resolve("out/pv_fix.ko"));
        }
        assertArrayEquals(Files.readAllBytes(module), Files.readAllBytes(root.resolve("out/pv_fix.ko")));
        KernelSourceTree.open(cache, fake, "check-fix").close();
    }

    @Test
    void aFailedBuildSaysWhatKpatchBuildSaid() throws IOException {
        FakeToolRunner fake = fake("fail");
        BuildException e = assertThrows(BuildException.class, () -> kpatch(cache, fake, vmlinux)
                .build(fix(), inputs(fake), "pv_fix", false, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertEquals("kpatch-build failed: kpatch build failed. Check /root/.kpatch/build.log for more details.",
                e.getMessage());
        assertTrue(Files.readString(cache.resolve("kpatch-output/fake-kpatch-build.args")).contains(" replace=0 "));
    }

    @Test
    void aTreeLeftPatchedIsMadeAgain() throws IOException {
        FakeToolRunner killed = fake("killed");
        assertThrows(BuildException.class, () -> kpatch(cache, killed, vmlinux)
                .build(fix(), inputs(killed), "pv_fix", true, root.resolve("x.ko")));
        assertFalse(Files.exists(cache.resolve("tree")), "a tree kpatch-build left patched is discarded");
        FakeToolRunner ok = fake("ok");
        kpatch(cache, ok, vmlinux).build(fix(), inputs(ok), "pv_fix", true, root.resolve("y.ko"));
        assertEquals(SmallKernelSource.UNIT, Files.readString(cache.resolve("tree/fs/unit.c")));
    }

    @Test
    void aModuleForAnotherKernelIsRefused() throws IOException {
        FakeToolRunner fake = fake("ok");
        Path headers = root.resolve("usr/src/linux-headers-6.1.0-57-amd64");
        Files.createDirectories(headers);
        Files.copy(root.resolve("usr/src/linux-headers-" + RELEASE + "/Makefile"), headers.resolve("Makefile"));
        Files.copy(root.resolve("usr/src/linux-headers-" + RELEASE + "/.config"), headers.resolve(".config"));
        KernelSource other = KernelSource.locate(root, "6.1.0-57-amd64", Optional.empty(),
                Optional.empty(), fake);
        BuildException e = assertThrows(BuildException.class, () -> new KpatchBuild(root.resolve("cache/other"),
                fake, Duration.ofMinutes(5), vmlinux, "6.1.0-57-amd64")
                .build(fix(), other, "pv_fix", true, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().endsWith("which is built for " + RELEASE + ", not a live patch for 6.1.0-57-amd64"),
                e.getMessage());
    }

    @Test
    void withoutKpatchBuildOrVmlinuxItIsRefusedBeforeAnythingRuns() throws IOException {
        SystemProcessRunner real = new SystemProcessRunner("/nonexistent");
        BuildException e = assertThrows(BuildException.class, () -> kpatch(cache, real, vmlinux)
                .build(fix(), inputs(real), "pv_fix", true, root.resolve("x.ko")));
        assertTrue(e.getMessage().startsWith("kpatch-build is not installed"), e.getMessage());
        FakeToolRunner fake = fake("ok");
        e = assertThrows(BuildException.class, () -> kpatch(cache, fake, root.resolve("no-vmlinux"))
                .build(fix(), inputs(fake), "pv_fix", true, root.resolve("x.ko")));
        assertTrue(e.getMessage().contains("install linux-image-" + RELEASE + "-dbg"), e.getMessage());
        e = assertThrows(BuildException.class, () -> kpatch(cache, fake, vmlinux).preflight("a".repeat(49)));
        assertTrue(e.getMessage().endsWith("is not a module name kpatch-build keeps (letters, digits, _; at most 48)"),
                e.getMessage());
        assertTrue(fake.argvs.isEmpty(), fake.argvs.toString());
    }

    private static KpatchBuild kpatch(Path cache, ProcessRunner processes, Path vmlinux) {
        return new KpatchBuild(cache, processes, Duration.ofMinutes(5), vmlinux, RELEASE);
    }

    private FixPatch fix() throws IOException {
        return FixPatch.read(source.fix("return x * 3;", "return x * 4;"));
    }

    private KernelSource inputs(ProcessRunner processes) throws IOException {
        return KernelSource.locate(root, RELEASE, Optional.empty(), Optional.empty(), processes);
    }

    /** "env VAR=... kpatch-build ARGS" runs as "env VAR=... FAKE_...=... bash FAKE-SCRIPT ARGS". */
    private FakeToolRunner fake(String mode) throws IOException {
        try {
            Path script = Path.of(getClass().getResource("/fake-kpatch-build/kpatch-build").toURI());
            return new FakeToolRunner(KpatchBuild.PROGRAM, List.of("FAKE_KPATCH_MODE=" + mode,
                    "FAKE_KPATCH_MODULE=" + module, "bash", script.toString()), Set.of(KpatchBuild.PROGRAM));
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
