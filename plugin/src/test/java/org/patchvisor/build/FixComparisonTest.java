package org.patchvisor.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * {@link FixComparison} with the real tar, patch, make and gcc on a small source tree shaped like a Debian
 * linux-source tarball (a top directory with a kernel-style Makefile; olddefconfig and prepare are cheap here).
 * The real kernel source is exercised by the integration lane; this covers the tree's life cycle quickly.
 */
class FixComparisonTest {
    private static final String RELEASE = "6.1.0-99-amd64";
    private static final String MAKEFILE = """
            VERSION = 6
            PATCHLEVEL = 1
            SUBLEVEL = 192
            olddefconfig:
            \t@test -f .config
            prepare:
            \t@echo prepared >> prepare.count
            %.o: %.c
            \t$(CC) -O2 $(KCFLAGS) -c -o $@ $<
            """;
    private static final String UNIT = """
            static int helper(int x) { return x * 3; }
            int visible(int x) { return helper(x) + 1; }
            int untouched(int x) { return x - 7; }
            int __attribute__((section(".init.text"))) setup(void) { return 0; }
            """;

    @TempDir
    Path root;
    private Path cache;
    private final Recording processes = new Recording();

    @BeforeEach
    void machine() throws IOException {
        Path headers = Files.createDirectories(root.resolve("usr/src/linux-headers-" + RELEASE));
        Files.writeString(headers.resolve("Makefile"), "include ../linux-headers-6.1.0-99-common/Makefile\n");
        Path common = Files.createDirectories(root.resolve("usr/src/linux-headers-6.1.0-99-common"));
        Files.writeString(common.resolve("Makefile"), "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\n");
        Files.writeString(headers.resolve(".config"), "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n");
        tarball(root.resolve("usr/src/linux-source-6.1.tar.xz"), MAKEFILE);
        cache = root.resolve("cache").resolve(RELEASE);
    }

    @Test
    void comparesTheTouchedUnitAndLeavesTheTreePristine() throws IOException {
        Result r = compare(fix("return x * 3;", "return x * 4;"));
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(UNIT, Files.readString(tree().resolve("lib/unit.c")));
        assertFalse(Files.exists(cache.resolve(FixComparison.APPLIED)));
        assertTrue(Files.isRegularFile(cache.resolve("objects/pre/lib/unit.o")));
        assertTrue(Files.isRegularFile(cache.resolve("objects/post/lib/unit.o")));
    }

    @Test
    void aPreparedTreeIsReusedAndMadeAgainWhenTheConfigChanges() throws IOException {
        compare(fix("return x * 3;", "return x * 4;"));
        compare(fix("return x - 7;", "return x - 8;"));
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "prepared once for two checks");
        Files.writeString(root.resolve("usr/src/linux-headers-" + RELEASE + "/.config"),
                "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\nCONFIG_NEW=y\n");
        compare(fix("return x - 7;", "return x - 8;"));
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "a new tree, prepared anew");
        assertEquals("CONFIG_NEW=y", Files.readAllLines(tree().resolve(".config")).get(1));
    }

    @Test
    void initCodeChangesAreReportedAsUncarriable() throws IOException {
        Result r = compare(fix("setup(void) { return 0; }", "setup(void) { return 1; }"));
        assertEquals(1, r.result.report().uncarriable().size(), r.result.toString());
        assertEquals(Uncarriable.Kind.INIT_CODE, r.result.report().uncarriable().get(0).kind());
    }

    @Test
    void aFixThatDoesNotApplyIsRefusedBeforeAnythingIsCompiled() throws IOException {
        compare(fix("return x * 3;", "return x * 4;"));
        processes.argvs.clear();
        BuildException e = assertThrows(BuildException.class,
                () -> compare(fix(UNIT.replace("x * 3", "x * 5"), "return x * 5;", "return x * 6;")));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().startsWith("fix.patch does not apply to the kernel source"), e.getMessage());
        assertTrue(processes.argvs.stream().noneMatch(a -> a.get(0).equals("make")), processes.argvs.toString());
        assertEquals(UNIT, Files.readString(tree().resolve("lib/unit.c")));
    }

    @Test
    void aFixLeftAppliedByAKilledRunIsReversedByTheNext() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // What a kill -9 during the second compile leaves: the copy of the fix beside the tree, the tree patched.
        Files.copy(fix, cache.resolve(FixComparison.APPLIED));
        assertTrue(new SystemProcessRunner(System.getenv("PATH")).run(List.of("patch", "-d", tree().toString(),
                "-p1", "--batch", "-i", fix.toString()), Duration.ofSeconds(30)).ok());
        assertTrue(Files.readString(tree().resolve("lib/unit.c")).contains("x * 4"));

        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
        assertEquals(UNIT, Files.readString(tree().resolve("lib/unit.c")));
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "reversed, not made again");
    }

    @Test
    void aTreeThatCannotBeReversedIsMadeAgain() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // Killed after the copy of the fix was written but before it was applied: reversing cannot work.
        Files.copy(fix, cache.resolve(FixComparison.APPLIED));
        Files.writeString(tree().resolve("lib/unit.c"), "garbage\n");

        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
        assertEquals(UNIT, Files.readString(tree().resolve("lib/unit.c")));
        assertFalse(Files.exists(cache.resolve(FixComparison.APPLIED)));
    }

    @Test
    void aSecondCheckAtTheSameTimeIsLockedOut() throws IOException {
        compare(fix("return x * 3;", "return x * 4;"));
        try (FileChannel channel = FileChannel.open(cache.resolve("lock"), StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            // Held here, the lock shows to RunLock as an overlapping lock; CheckFixIT holds it from another process.
            assertTrue(held.isValid());
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> compare(fix("return x * 3;", "return x * 4;")));
            assertTrue(e.getMessage().contains("lock"), e.getMessage());
        }
    }

    @Test
    void aTarballOfAnotherVersionIsRefused() throws IOException {
        tarball(root.resolve("usr/src/linux-source-6.1.tar.xz"), MAKEFILE.replace("192", "190"));
        BuildException e = assertThrows(BuildException.class, () -> compare(fix("return x * 3;", "return x * 4;")));
        assertTrue(e.getMessage().endsWith("holds Linux 6.1.190, but " + RELEASE + " was built from 6.1.192"),
                e.getMessage());
    }

    @Test
    void aCompileErrorIsACompileFailureAndTheTreeIsReversed() throws IOException {
        BuildException e = assertThrows(BuildException.class,
                () -> compare(fix("return x * 3;", "return x * ;")));
        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertTrue(e.getMessage().contains("error"), e.getMessage());
        assertEquals(UNIT, Files.readString(tree().resolve("lib/unit.c")));
    }

    private record Result(FixComparison.Result result) {
    }

    private Result compare(Path fix) throws IOException {
        KernelSourceTree.Inputs inputs = KernelSourceTree.locate(root, RELEASE, Optional.empty(), Optional.empty(),
                processes);
        return new Result(new FixComparison(cache, processes).compare(FixPatch.read(fix), inputs, List.of()));
    }

    private Path tree() {
        return cache.resolve("tree");
    }

    private Path fix(String from, String to) throws IOException {
        return fix(UNIT, from, to);
    }

    /** A unified diff that changes {@code from} to {@code to} in {@code base} (the tree holds UNIT). */
    private Path fix(String base, String from, String to) throws IOException {
        Path dir = Files.createTempDirectory(root, "fix");
        Files.createDirectories(dir.resolve("a/lib"));
        Files.createDirectories(dir.resolve("b/lib"));
        Files.writeString(dir.resolve("a/lib/unit.c"), base);
        Files.writeString(dir.resolve("b/lib/unit.c"), base.replace(from, to));
        ProcessBuilder diff = new ProcessBuilder("diff", "-u", "a/lib/unit.c", "b/lib/unit.c").directory(dir.toFile());
        Path file = dir.resolve("fix.patch");
        diff.redirectOutput(file.toFile());
        try {
            diff.start().waitFor();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return file;
    }

    private void tarball(Path target, String makefile) throws IOException {
        Path src = Files.createTempDirectory(root, "src");
        Path top = Files.createDirectories(src.resolve("linux-source-6.1/lib"));
        Files.writeString(top.getParent().resolve("Makefile"), makefile);
        Files.writeString(top.resolve("unit.c"), UNIT);
        Files.createDirectories(target.getParent());
        ProcessRunner.Result tar = new SystemProcessRunner(System.getenv("PATH")).run(List.of("tar", "-cJf",
                target.toString(), "-C", src.toString(), "linux-source-6.1"), Duration.ofSeconds(60));
        assertTrue(tar.ok(), tar.stderr());
    }

    /** The real process runner, recording each argv. */
    private static final class Recording implements ProcessRunner {
        final List<List<String>> argvs = new ArrayList<>();
        private final SystemProcessRunner real = new SystemProcessRunner(System.getenv("PATH"));

        @Override
        public Result run(List<String> argv, Duration timeout) throws IOException {
            argvs.add(argv);
            return real.run(argv, timeout);
        }

        @Override
        public boolean available(String program) {
            return real.available(program);
        }
    }
}
