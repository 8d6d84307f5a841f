package org.patchvisor.build;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.spi.SystemProcessRunner;
import org.patchvisor.state.StateLockedException;

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
        Fake fake = new Fake("ok");
        new KpatchBuild(cache, fake, Duration.ofMinutes(5)).build(fix(), inputs(fake), "pv_fix", vmlinux, true, out);
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
        Fake fake = new Fake("ok");
        try (KernelSourceTree tree = KernelSourceTree.open(cache, fake, KpatchBuild.PROGRAM)) {
            FixComparison.Result compared = new FixComparison(cache, fake)
                    .compare(tree, fix(), inputs(fake), List.of());
            assertEquals(List.of("visible"), List.copyOf(compared.report().changedFunctionNames()),
                    "helper is inlined");
            // Between the two steps the tree stays taken: another check is locked out, this build goes on.
            assertThrows(StateLockedException.class, () -> KernelSourceTree.open(cache, fake, "check-fix"));
            new KpatchBuild(cache, fake, Duration.ofMinutes(5)).build(tree, fix(), inputs(fake), "pv_fix", vmlinux,
                    true, root.resolve("out/pv_fix.ko"));
        }
        assertArrayEquals(Files.readAllBytes(module), Files.readAllBytes(root.resolve("out/pv_fix.ko")));
        KernelSourceTree.open(cache, fake, "check-fix").close();
    }

    @Test
    void aFailedBuildSaysWhatKpatchBuildSaid() throws IOException {
        Fake fake = new Fake("fail");
        BuildException e = assertThrows(BuildException.class, () -> new KpatchBuild(cache, fake, Duration.ofMinutes(5))
                .build(fix(), inputs(fake), "pv_fix", vmlinux, false, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertEquals("kpatch-build failed: kpatch build failed. Check /root/.kpatch/build.log for more details.",
                e.getMessage());
        assertTrue(Files.readString(cache.resolve("kpatch-output/fake-kpatch-build.args")).contains(" replace=0 "));
    }

    @Test
    void aTreeLeftPatchedIsMadeAgain() throws IOException {
        Fake killed = new Fake("killed");
        assertThrows(BuildException.class, () -> new KpatchBuild(cache, killed, Duration.ofMinutes(5))
                .build(fix(), inputs(killed), "pv_fix", vmlinux, true, root.resolve("x.ko")));
        assertFalse(Files.exists(cache.resolve("tree")), "a tree kpatch-build left patched is discarded");
        Fake ok = new Fake("ok");
        new KpatchBuild(cache, ok, Duration.ofMinutes(5)).build(fix(), inputs(ok), "pv_fix", vmlinux, true,
                root.resolve("y.ko"));
        assertEquals(SmallKernelSource.UNIT, Files.readString(cache.resolve("tree/fs/unit.c")));
    }

    @Test
    void aModuleForAnotherKernelIsRefused() throws IOException {
        Fake fake = new Fake("ok");
        Path headers = root.resolve("usr/src/linux-headers-6.1.0-57-amd64");
        Files.createDirectories(headers);
        Files.copy(root.resolve("usr/src/linux-headers-" + RELEASE + "/Makefile"), headers.resolve("Makefile"));
        Files.copy(root.resolve("usr/src/linux-headers-" + RELEASE + "/.config"), headers.resolve(".config"));
        KernelSource other = KernelSource.locate(root, "6.1.0-57-amd64", Optional.empty(),
                Optional.empty(), fake);
        BuildException e = assertThrows(BuildException.class, () -> new KpatchBuild(root.resolve("cache/other"),
                fake, Duration.ofMinutes(5)).build(fix(), other, "pv_fix", vmlinux, true, root.resolve("x.ko")));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().endsWith("which is built for " + RELEASE + ", not a live patch for 6.1.0-57-amd64"),
                e.getMessage());
    }

    @Test
    void withoutKpatchBuildOrVmlinuxItIsRefusedBeforeAnythingRuns() throws IOException {
        SystemProcessRunner real = new SystemProcessRunner("/nonexistent");
        BuildException e = assertThrows(BuildException.class, () -> new KpatchBuild(cache, real, Duration.ofMinutes(1))
                .build(fix(), inputs(real), "pv_fix", vmlinux, true, root.resolve("x.ko")));
        assertTrue(e.getMessage().startsWith("kpatch-build is not installed"), e.getMessage());
        Fake fake = new Fake("ok");
        e = assertThrows(BuildException.class, () -> new KpatchBuild(cache, fake, Duration.ofMinutes(1))
                .build(fix(), inputs(fake), "pv_fix", root.resolve("no-vmlinux"), true, root.resolve("x.ko")));
        assertTrue(e.getMessage().contains("install linux-image-" + RELEASE + "-dbg"), e.getMessage());
        e = assertThrows(BuildException.class, () -> new KpatchBuild(cache, fake, Duration.ofMinutes(1))
                .preflight("a".repeat(49), vmlinux, RELEASE));
        assertTrue(e.getMessage().endsWith("is not a module name kpatch-build keeps (letters, digits, _; at most 48)"),
                e.getMessage());
        assertTrue(fake.argvs.isEmpty(), fake.argvs.toString());
    }

    private FixPatch fix() throws IOException {
        return FixPatch.read(source.fix("return x * 3;", "return x * 4;"));
    }

    private KernelSource inputs(ProcessRunner processes) throws IOException {
        return KernelSource.locate(root, RELEASE, Optional.empty(), Optional.empty(), processes);
    }

    /** The real runner, except that "kpatch-build" is the fake script, run by bash with its mode in the env. */
    private final class Fake implements ProcessRunner {
        final List<List<String>> argvs = new ArrayList<>();
        private final String mode;
        private final SystemProcessRunner real = new SystemProcessRunner(System.getenv("PATH"));

        Fake(String mode) {
            this.mode = mode;
        }

        @Override
        public Result run(List<String> argv, Duration timeout) throws IOException {
            argvs.add(argv);
            int program = argv.indexOf(KpatchBuild.PROGRAM);
            if (program < 0) {
                return real.run(argv, timeout);
            }
            // "env VAR=... kpatch-build ARGS" becomes "env VAR=... FAKE_...=... bash FAKE-SCRIPT ARGS".
            List<String> wrapped = new ArrayList<>(argv.subList(0, program));
            wrapped.addAll(List.of("FAKE_KPATCH_MODE=" + mode, "FAKE_KPATCH_MODULE=" + module, "bash",
                    script().toString()));
            wrapped.addAll(argv.subList(program + 1, argv.size()));
            return real.run(wrapped, timeout);
        }

        @Override
        public boolean available(String program) {
            return program.equals(KpatchBuild.PROGRAM) || real.available(program);
        }

        private Path script() throws IOException {
            try {
                return Path.of(getClass().getResource("/fake-kpatch-build/kpatch-build").toURI());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
    }
}
