package org.patchvisor.publish;

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
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.state.StateLockedException;
import org.patchvisor.time.FakeTicker;

/**
 * {@link FixComparison} with the real tar, patch, make and gcc on a {@link SmallKernelSource}. The real kernel
 * source is exercised by the integration lane (CheckFixIT); this covers the tree's life cycle quickly.
 */
class FixComparisonTest {
    private static final String RELEASE = "6.1.0-99-amd64";
    @TempDir
    Path root;
    private Path cache;
    private SmallKernelSource source;
    private final Recording processes = new Recording();

    @BeforeEach
    void machine() throws IOException {
        source = SmallKernelSource.install(root, RELEASE);
        cache = root.resolve("cache").resolve(RELEASE);
    }

    @Test
    void comparesTheTouchedUnitAndLeavesTheTreePristine() throws IOException {
        Result r = compare(fix("return x * 3;", "return x * 4;"));
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.APPLIED)));
        assertTrue(Files.isRegularFile(cache.resolve("objects/pre/fs/unit.o")));
        assertTrue(Files.isRegularFile(cache.resolve("objects/post/fs/unit.o")));
    }

    @Test
    void compilingAndComparingAreTimedApartOnTheTicker() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        KernelSource inputs = KernelSource.locate(root, RELEASE, Optional.empty(), Optional.empty(), processes);
        int before = processes.argvs.size();
        FixComparison.Result result = new FixComparison(cache, processes, processes.ticker).compare(FixPatch.read(fix),
                inputs, List.of());
        // Every tool run (prepare, the fix applied and reversed, two compiles) is compiling; comparing runs none.
        assertTrue(processes.argvs.size() - before >= 4, processes.argvs.toString());
        assertEquals(Duration.ofSeconds(processes.argvs.size() - before), result.steps().compile());
        assertEquals(Duration.ZERO, result.steps().compare());
    }

    @Test
    void aMalformedObjectIsARefusalNamingIt() throws IOException {
        Path objects = root.resolve("objects");
        Path bad = Files.createDirectories(objects.resolve("post/fs")).resolve("unit.o");
        Files.write(bad, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        Files.createDirectories(objects.resolve("pre/fs"));
        Files.copy(bad, objects.resolve("pre/fs/unit.o"));
        BuildException e = assertThrows(BuildException.class, () -> FixComparison.compareObjects(objects));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().startsWith("malformed object: " + objects.resolve("pre/fs/unit.o") + ": "),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aPreparedTreeIsReusedAndMadeAgainWhenTheConfigChanges() throws IOException {
        compare(fix("return x * 3;", "return x * 4;"));
        compare(fix("return x - 7;", "return x - 8;"));
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "prepared once for two checks");
        Files.writeString(tree().resolve("planted"), "only in the old tree");
        Files.writeString(root.resolve("usr/src/linux-headers-" + RELEASE + "/.config"),
                "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\nCONFIG_NEW=y\n");
        compare(fix("return x - 7;", "return x - 8;"));
        assertFalse(Files.exists(tree().resolve("planted")), "a new tree");
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "prepared anew");
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
                () -> compare(fix(SmallKernelSource.UNIT.replace("x * 3", "x * 5"), "return x * 5;", "return x * 6;")));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().startsWith("fix.patch does not apply to the kernel source"), e.getMessage());
        assertTrue(processes.argvs.stream().noneMatch(a -> a.get(0).equals("make")), processes.argvs.toString());
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
    }

    @Test
    void aFixLeftAppliedByAKilledRunIsReversedByTheNext() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // What a kill -9 during the second compile leaves: the copy of the fix beside the tree, the tree patched.
        Files.copy(fix, cache.resolve(KernelSourceTree.APPLIED));
        assertTrue(new SystemProcessRunner(System.getenv("PATH")).run(List.of("patch", "-d", tree().toString(),
                "-p1", "--batch", "-i", fix.toString()), Duration.ofSeconds(30)).ok());
        assertTrue(Files.readString(tree().resolve("fs/unit.c")).contains("x * 4"));

        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
        assertEquals(1, Files.readAllLines(tree().resolve("prepare.count")).size(), "reversed, not made again");
    }

    @Test
    void aRunKilledBeforeItAppliedTheFixLeavesTheTreeAlone() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // Killed after the copy of the fix was written but before patch ran: the tree is pristine. Reversing must
        // not apply the fix ("Unreversed patch detected! Ignoring -R" is what patch does without --forward).
        Files.copy(fix, cache.resolve(KernelSourceTree.APPLIED));
        KernelSourceTree.open(cache, processes, "test").close();
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.APPLIED)));
    }

    @Test
    void aTreeAnotherToolWasKilledInIsMadeAgain() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // kpatch-build killed in the tree: the fix applied and scripts edited; only a fresh tree can be trusted.
        Files.copy(fix, cache.resolve(KernelSourceTree.FOREIGN));
        Files.writeString(tree().resolve("scripts-edited-by-the-tool"), "x");
        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
        assertFalse(Files.exists(tree().resolve("scripts-edited-by-the-tool")), "the tree was made again");
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.FOREIGN)));
    }

    @Test
    void aFixThatTouchesNoUnitNeedsUnitsNamed() throws IOException {
        Path dir = Files.createDirectories(root.resolve("hfix"));
        Path fix = Files.writeString(dir.resolve("header.patch"), "--- a/include/x.h\n+++ b/include/x.h\n"
                + "@@ -0,0 +1 @@\n+#define X 1\n");
        BuildException e = assertThrows(BuildException.class, () -> compare(fix));
        assertEquals("header.patch changes no compilation unit this kernel builds; name the .c files that include "
                + "what it changes with --unit (the fix changes include/x.h, which no unit of this kernel includes "
                + "directly; units that include it through other headers are compared only when named with --unit, "
                + "and a changed structure layout cannot be carried by a live patch)", e.getMessage());
    }

    @Test
    void aHeaderFixIsComparedInTheBuiltUnitsThatIncludeIt() throws IOException {
        Result r = compare(source.fix("fs/inl.h", SmallKernelSource.HEADER, "x * 5", "x * 6"));
        assertEquals(java.util.Set.of("user"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(List.of("the fix changes fs/inl.h: compared with it the 1 unit(s) of this kernel that include it "
                + "directly (fs/user.c); units that include it through other headers are compared only when named "
                + "with --unit, and a changed structure layout cannot be carried by a live patch"),
                r.result.warnings());
        // nommu.c includes it too, but kbuild leaves it out of this configuration: compiling it would fail.
        assertFalse(Files.exists(cache.resolve("objects/pre/fs/nommu.o")));
        assertEquals(SmallKernelSource.HEADER, Files.readString(tree().resolve("fs/inl.h")));
    }

    @Test
    void aHeaderIncludedByTooManyUnitsIsLeftToTheAuthor() throws IOException {
        Path header = source.fix("fs/inl.h", SmallKernelSource.HEADER, "x * 5", "x * 6");
        compare(header);
        // More built units in the prepared tree: 41 with the one already there, more than are compiled unasked.
        Path many = Files.createDirectories(tree().resolve("fs/many"));
        StringBuilder makefile = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            Files.writeString(many.resolve("u" + i + ".c"),
                    "#include \"../inl.h\"\nint u" + i + "(int x) { return scale(x); }\n");
            makefile.append("obj-y += u").append(i).append(".o\n");
        }
        Files.writeString(many.resolve("Makefile"), makefile);
        Files.writeString(tree().resolve("fs/Makefile"), SmallKernelSource.FS_MAKEFILE + "obj-y += many/\n");
        BuildException e = assertThrows(BuildException.class, () -> compare(header));
        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertTrue(e.getMessage().startsWith("fix.patch changes no compilation unit this kernel builds; name the .c "
                + "files that include what it changes with --unit (the fix changes fs/inl.h, which 41 units of this "
                + "kernel include directly: too many to compare; "), e.getMessage());
        assertEquals(List.of("the fix changes fs/inl.h, which 41 units of this kernel include directly: too many to "
                + "compare; name the ones that matter with --unit; units that include it through other headers are "
                + "compared only when named with --unit, and a changed structure layout cannot be carried by a live "
                + "patch"), warnings(header));

        // Past 200 includers kbuild is not even asked: the count is of the source's units.
        for (int i = 40; i < 200; i++) {
            Files.writeString(many.resolve("u" + i + ".c"), "#include \"../inl.h\"\n");
        }
        processes.argvs.clear();
        assertTrue(warnings(header).get(0).startsWith("the fix changes fs/inl.h, which 202 units of the source "
                + "include directly: too many"));
        assertTrue(processes.argvs.stream().noneMatch(a -> a.contains("obj=fs/many")), processes.argvs.toString());
    }

    @Test
    void aUnitTheConfigurationLeavesOutIsNotCompared() throws IOException {
        Path fix = source.fix(java.util.Map.of(
                "fs/unit.c", new String[] {SmallKernelSource.UNIT, "x * 3", "x * 4"},
                "fs/nommu.c", new String[] {SmallKernelSource.NOMMU, "#error", "#error still"}));
        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(List.of("fs/nommu.c is not built for this kernel (its configuration leaves it out): not "
                + "compared"), r.result.warnings());
    }

    @Test
    void aUnitInADirectoryKbuildDoesNotReachIsNotCompared() throws IOException {
        // fs/gated/Makefile lists gated.o, but fs/ descends into gated/ only with CONFIG_GATED.
        Result r = compare(source.fix(java.util.Map.of(
                "fs/unit.c", new String[] {SmallKernelSource.UNIT, "x * 3", "x * 4"},
                "fs/gated/gated.c", new String[] {SmallKernelSource.GATED, "x + 5", "x + 6"})));
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(List.of("fs/gated/gated.c is not built for this kernel (its configuration leaves it out): not "
                + "compared"), r.result.warnings());
        assertFalse(Files.exists(cache.resolve("objects/post/fs/gated/gated.o")));
    }

    @Test
    void aUnitInADirectoryKbuildReachesIsCompared() throws IOException {
        // A cache kept from an older version holds a print target that names no subdirectories: replaced.
        Files.createDirectories(cache);
        Files.writeString(cache.resolve("kbuild-objects.mk"), "patchvisor-objects:\n\t@echo $(real-obj-y)\n");
        Result r = compare(source.fix("fs/sub/deep.c", SmallKernelSource.DEEP, "x * 9", "x * 10"));
        assertEquals(java.util.Set.of("deep"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(List.of(), r.result.warnings());
    }

    @Test
    void anotherArchitecturesUnitIsNotCompared() throws IOException {
        Result r = compare(source.fix(java.util.Map.of(
                "fs/unit.c", new String[] {SmallKernelSource.UNIT, "x * 3", "x * 4"},
                "arch/arm64/kernel/setup.c", new String[] {SmallKernelSource.OTHER_ARCH, "x - 1", "x - 2"})));
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames(), r.result.toString());
        assertEquals(List.of("arch/arm64/kernel/setup.c is not built for this kernel (its configuration leaves it "
                + "out): not compared"), r.result.warnings());
        assertTrue(processes.argvs.stream().noneMatch(a -> a.contains("obj=arch/arm64/kernel")),
                "kbuild is not asked about another architecture");
    }

    @Test
    void aUnitCompiledInsideAnotherIsComparedThere() throws IOException {
        Result r = compare(source.fix("fs/part.c", SmallKernelSource.PART, "x + 11", "x + 12"));
        assertEquals(List.of("fs/part.c is compiled as part of fs/whole.c: compared there"), r.result.notes());
        assertEquals(List.of(), r.result.warnings());
        assertTrue(r.result.report().changedFunctionNames().contains("whole"), r.result.toString());
        assertTrue(Files.isRegularFile(cache.resolve("objects/post/fs/whole.o")));
        assertFalse(Files.exists(cache.resolve("objects/post/fs/part.o")));
    }

    @Test
    void includeNamesFollowTheCompilersSearchPath() {
        assertEquals(List.of("linux/fs.h"), HeaderDependents.includeNames("include/linux/fs.h", Optional.of("x86")));
        assertEquals(List.of("linux/fs.h"),
                HeaderDependents.includeNames("include/uapi/linux/fs.h", Optional.of("x86")));
        assertEquals(List.of("asm/pgtable.h"),
                HeaderDependents.includeNames("arch/x86/include/asm/pgtable.h", Optional.of("x86")));
        assertEquals(List.of(), HeaderDependents.includeNames("arch/arm64/include/asm/pgtable.h", Optional.of("x86")));
        assertEquals(List.of(), HeaderDependents.includeNames("fs/proc/fd.h", Optional.of("x86")));

        List<String> names = List.of("linux/fs.h");
        assertTrue(HeaderDependents.includes("fs/a.c", "include/linux/fs.h", names, List.of("#include <linux/fs.h>")));
        assertTrue(HeaderDependents.includes("fs/a.c", "include/linux/fs.h", names, List.of(" #  include \"linux/fs.h\"")));
        assertFalse(HeaderDependents.includes("fs/a.c", "include/linux/fs.h", names, List.of("#include <uapi/linux/fs.h>")));
        assertTrue(HeaderDependents.includes("fs/proc/fd.c", "fs/proc/fd.h", List.of(), List.of("#include \"fd.h\"")));
        assertTrue(HeaderDependents.includes("fs/proc/sub/x.c", "fs/proc/fd.h", List.of(),
                List.of("#include \"../fd.h\"")));
        assertFalse(HeaderDependents.includes("fs/other/x.c", "fs/proc/fd.h", List.of(), List.of("#include \"fd.h\"")));
        assertFalse(HeaderDependents.includes("fs/proc/fd.c", "fs/proc/fd.h", List.of(), List.of("#include <fd.h>")));
    }

    @Test
    void aUnitOutsideTheTreeIsRefused() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        for (String unit : List.of("../../etc/x.c", "/etc/x.c", "fs/unit.h")) {
            BuildException e = assertThrows(BuildException.class, () -> compare(fix, List.of(unit)));
            assertTrue(e.getMessage().startsWith("--unit " + unit + " is not a .c file of the kernel tree"),
                    e.getMessage());
        }
        Result r = compare(fix, List.of("fs/unit.c"));
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
    }

    @Test
    void aTreeThatCannotBeReversedIsMadeAgain() throws IOException {
        Path fix = fix("return x * 3;", "return x * 4;");
        compare(fix);
        // A tree neither patched nor pristine (a fix half applied, a file edited): the fix goes neither way.
        Files.copy(fix, cache.resolve(KernelSourceTree.APPLIED));
        Files.writeString(tree().resolve("fs/unit.c"), "garbage\n");

        Result r = compare(fix);
        assertEquals(java.util.Set.of("visible"), r.result.report().changedFunctionNames());
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
        assertFalse(Files.exists(cache.resolve(KernelSourceTree.APPLIED)));
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
        source.tarball(SmallKernelSource.MAKEFILE.replace("192", "190"));
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
        assertEquals(SmallKernelSource.UNIT, Files.readString(tree().resolve("fs/unit.c")));
    }

    private record Result(FixComparison.Result result) {
    }

    private Result compare(Path fix) throws IOException {
        return compare(fix, List.of());
    }

    private Result compare(Path fix, List<String> units) throws IOException {
        KernelSource inputs = KernelSource.locate(root, RELEASE, Optional.empty(), Optional.empty(), processes);
        return new Result(new FixComparison(cache, processes, processes.ticker).compare(FixPatch.read(fix), inputs,
                units));
    }

    /** The warnings of a comparison refused because nothing is left to compare, read with --unit given. */
    private List<String> warnings(Path fix) throws IOException {
        return compare(fix, List.of("fs/unit.c")).result.warnings();
    }

    private Path tree() {
        return cache.resolve("tree");
    }

    private Path fix(String from, String to) throws IOException {
        return source.fix(from, to);
    }

    private Path fix(String base, String from, String to) throws IOException {
        return source.fix(base, from, to);
    }

    /** The real process runner, recording each argv. */
    /** Runs the real tools; each run takes a second of {@link #ticker}'s time, and nothing else does. */
    private static final class Recording implements ProcessRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final FakeTicker ticker = new FakeTicker();
        private final SystemProcessRunner real = new SystemProcessRunner(System.getenv("PATH"));

        @Override
        public Result run(List<String> argv, Duration timeout) throws IOException {
            argvs.add(argv);
            ticker.now += Duration.ofSeconds(1).toNanos();
            return real.run(argv, timeout);
        }

        @Override
        public boolean available(String program) {
            return real.available(program);
        }
    }
}
