package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code build} reads its options: which backend needs what, one line and exit 2 otherwise. */
class BuildCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new BuildCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void theDefaultBackendNeedsASourceDirectory() {
        assertEquals(ExitCodes.USAGE, run("--kernel", "6.1.0-56-amd64"));
        assertEquals("patchvisor build: --source DIR is required\n", err.toString());
    }

    @Test
    void kpatchBuildMakesThePatchFromTheFixAlone() throws Exception {
        Path fix = Files.writeString(tmp.resolve("fix.patch"), "--- a/x.c\n+++ b/x.c\n");
        Path src = Files.createDirectories(tmp.resolve("src"));
        assertEquals(ExitCodes.USAGE, run("--backend", "kpatch-build", "--kernel", "6.1.0-56-amd64", "--name", "n",
                "--check-fix", fix.toString(), "--source", src.toString()));
        assertEquals(ExitCodes.USAGE, run("--backend", "kpatch-build", "--kernel", "6.1.0-56-amd64",
                "--check-fix", fix.toString()));
        assertEquals(ExitCodes.USAGE, run("--backend", "kpatch-build", "--kernel", "6.1.0-56-amd64", "--name", "n"));
        assertEquals(3, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().lines().allMatch(l -> l.equals("patchvisor build: --backend kpatch-build makes the "
                + "live patch from the fix: give --check-fix FIX.patch and --name NAME, not --source")), err.toString());
    }

    @Test
    void klpBuildNeedsTheFixAndANameButNoVmlinux() throws Exception {
        Path fix = Files.writeString(tmp.resolve("fix.patch"), "--- a/x.c\n+++ b/x.c\n");
        assertEquals(ExitCodes.USAGE, run("--backend", "klp-build", "--kernel", "6.1.0-56-amd64",
                "--check-fix", fix.toString()));
        assertEquals("patchvisor build: --backend klp-build makes the live patch from the fix: give --check-fix "
                + "FIX.patch and --name NAME, not --source\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, run("--backend", "klp-build", "--kernel", "6.1.0-56-amd64", "--name", "n",
                "--check-fix", fix.toString(), "--vmlinux", tmp.resolve("vmlinux").toString()));
        assertEquals("patchvisor build: --vmlinux goes with --backend kpatch-build\n", err.toString());
    }

    @Test
    void theFixAloneNeedsTheSymbolMap() throws Exception {
        Path fix = Files.writeString(tmp.resolve("fix.patch"), "--- a/x.c\n+++ b/x.c\n");
        assertEquals(ExitCodes.USAGE, run("--fix", fix.toString(), "--kernel", "6.1.0-56-amd64"));
        assertEquals("patchvisor build: --fix needs --symbol-map FILE: the target's full /proc/kallsyms, read as "
                + "root (a distribution's System.map may be a stub)\n", err.toString());
    }

    @Test
    void anUnknownBackendIsAUsageError() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        assertEquals(ExitCodes.USAGE, run("--backend", "klp", "--kernel", "r", "--source", src.toString()));
        assertTrue(err.toString().contains("'klp' is not a backend (patchvisor, kpatch-build, klp-build)"),
                err.toString());
    }

    @Test
    void optionsOfTheFixCheckNeedTheFix() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        assertEquals(ExitCodes.USAGE, run("--kernel", "r", "--source", src.toString(), "--unit", "fs/x.c"));
        assertEquals("patchvisor build: --kernel-source, --kernel-config, --source-cache and --unit go with "
                + "--check-fix\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, run("--kernel", "r", "--source", src.toString(), "--non-replace"));
        assertEquals("patchvisor build: --non-replace goes with --backend kpatch-build or klp-build\n", err.toString());
    }

    @Test
    void aRefusedBuildIsOneEscapedLineWithItsExitCodeAndATraceOnlyWithDebug() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src\u001b[2J\nbuilt ok"));
        FakeRoot host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        FakeRoot.Run run = host.run("build", "--kernel", "6.1.0-56-amd64", "--source", src.toString());
        assertEquals(ExitCodes.BUILD_REFUSED, run.exit(), run.err());
        assertEquals("patchvisor: no livepatch.json in " + tmp + "/src\\x1b[2J\\x0abuilt ok\n", run.err());
        assertEquals("", run.out());

        FakeRoot.Run debug = host.run("build", "--kernel", "6.1.0-56-amd64", "--source", src.toString(), "--debug");
        assertEquals(ExitCodes.BUILD_REFUSED, debug.exit(), debug.err());
        assertTrue(debug.err().startsWith(run.err()), debug.err());
        assertTrue(debug.err().contains("org.patchvisor.publish.BuildException"), debug.err());
    }

    @Test
    void publishingIsCheckedBeforeAnythingIsBuilt() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        assertEquals(ExitCodes.USAGE, run("--kernel", "r", "--source", src.toString(), "--cve", "CVE-2024-1086"));
        assertEquals("patchvisor build: --cve describe what --repo publishes; give --repo and --key\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, run("--kernel", "r", "--source", src.toString(), "--repo",
                tmp.resolve("repo").toString(), "--key", tmp.resolve("no.key").toString()));
        assertTrue(err.toString().startsWith("patchvisor build: cannot publish to " + tmp.resolve("repo") + ": "),
                err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }
}
