package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Debian package the build makes, installed on this machine with the real dpkg: the installed command runs
 * (--version, status), completion, man pages, changelog, units and the conffile are where Debian looks for them,
 * systemd-analyze accepts the units, and remove + purge leave nothing behind.
 */
class DebPackageIT {
    private static final Path DEB = Path.of(System.getProperty("patchvisor.root", ".")).resolve("integration/target/patchvisor.deb");
    private static final Path UNITS = Path.of(System.getProperty("patchvisor.root", ".")).resolve("integration/systemd");

    record Run(int exit, String out) {
    }

    @BeforeAll
    static void requirements() throws Exception {
        Components components = Components.onThisMachine();
        components.requireDpkgAsRoot();
        components.requireSystemdAnalyze();
        assertTrue(Files.isRegularFile(DEB), DEB + " is built by the package phase");
        run("dpkg", "--purge", "patchvisor");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (Files.exists(Path.of("/var/lib/dpkg/info/patchvisor.list"))) {
            run("dpkg", "--purge", "patchvisor");
        }
    }

    @Test
    void installsRunsAndRemovesWithoutLeftovers() throws Exception {
        List<String> payload = run("dpkg-deb", "--fsys-tarfile", DEB.toString()).exit() == 0
                ? run("sh", "-c", "dpkg-deb --fsys-tarfile '" + DEB + "' | tar -t").out().lines()
                        .filter(l -> !l.endsWith("/")).map(l -> l.substring(1)).toList()
                : List.of();
        assertTrue(payload.contains("/usr/bin/patchvisor"), payload.toString());

        Run install = run("dpkg", "-i", DEB.toString());
        assertEquals(0, install.exit(), install.out());
        Run version = run("/usr/bin/patchvisor", "--version");
        assertEquals(0, version.exit(), version.out());
        assertTrue(version.out().startsWith("patchvisor "), version.out());
        Run status = run("/usr/bin/patchvisor", "status");
        assertEquals(0, status.exit(), status.out());
        assertTrue(status.out().contains("kernel:"), status.out());

        assertTrue(Files.size(Path.of("/var/cache/patchvisor/patchvisor.jsa")) > 0, "AppCDS archive built at install");
        // The shaded jar must stay multi-release: JSch's Ed25519 support exists only in its Java 15 classes.
        try (JarFile jar = new JarFile(new File("/usr/share/patchvisor/patchvisor.jar"), true, ZipFile.OPEN_READ,
                Runtime.version())) {
            assertEquals("META-INF/versions/15/com/jcraft/jsch/jce/SignatureEd25519.class",
                    jar.getJarEntry("com/jcraft/jsch/jce/SignatureEd25519.class").getRealName());
        }
        assertTrue(Files.readString(Path.of("/usr/share/bash-completion/completions/patchvisor")).contains("complete -F"));
        assertTrue(gunzip(Path.of("/usr/share/man/man1/patchvisor-worker.1.gz")).contains(".TH \"PATCHVISOR\\-WORKER\" \"1\""));
        Run installed = run("dpkg-query", "-W", "-f=${Version}", "patchvisor");
        assertEquals(0, installed.exit(), installed.out());
        // The changelog is written by the build, apart from jdeb: its entry must name the package's own version.
        String changelog = gunzip(Path.of("/usr/share/doc/patchvisor/changelog.gz"));
        assertEquals("patchvisor (" + installed.out().strip() + ") unstable; urgency=medium",
                changelog.lines().findFirst().orElse(""), changelog);
        assertTrue(Files.readString(Path.of("/usr/share/doc/patchvisor/copyright"))
                .startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"));
        assertTrue(Files.exists(Path.of("/lib/systemd/system/patchvisor-worker.service")));
        unitsPassSystemdAnalyzeVerify();
        assertEquals("/etc/patchvisor/patchvisor.conf",
                Files.readString(Path.of("/var/lib/dpkg/info/patchvisor.conffiles")).trim());
        Run listed = run("/usr/bin/patchvisor", "hook", "--help");
        assertEquals(0, listed.exit(), listed.out());

        assertEquals(0, run("dpkg", "-r", "patchvisor").exit());
        assertTrue(Files.exists(Path.of("/etc/patchvisor/patchvisor.conf")), "remove keeps the conffile");
        Run purge = run("dpkg", "--purge", "patchvisor");
        assertEquals(0, purge.exit(), purge.out());
        for (String file : payload) {
            assertTrue(Files.notExists(Path.of(file)), file + " left behind");
        }
        for (String dir : List.of("/etc/patchvisor", "/usr/share/patchvisor", "/var/cache/patchvisor", "/var/spool/patchvisor")) {
            assertTrue(Files.notExists(Path.of(dir)), dir + " left behind");
        }
        assertEquals(1, run("dpkg", "-s", "patchvisor").exit(), "purged: dpkg no longer knows the package");
    }

    /**
     * The repository's units, together in one directory, checked by systemd-analyze against the installed tool
     * (ExecStart=) and man pages (Documentation=). It reports a bad key or a missing page with exit 0, so any
     * output is a failure.
     */
    private static void unitsPassSystemdAnalyzeVerify() throws Exception {
        Path units = Files.createTempDirectory(HostScripts.targetDir("deb-package-it"), "units");
        List<String> argv = new ArrayList<>(List.of("systemd-analyze", "verify"));
        try (Stream<Path> files = Files.list(UNITS)) {
            for (Path unit : files.sorted().toList()) {
                argv.add(Files.copy(unit, units.resolve(unit.getFileName())).toString());
            }
        }
        assertTrue(argv.size() > 2, "no units in " + UNITS);
        Run verify = run(argv.toArray(String[]::new));
        assertEquals(new Run(0, ""), verify, String.join(" ", argv));
        HostScripts.deleteTree(units);
    }

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Output as text; some of what the package tools print is binary (a tar listing of a data member). */
    private static String text(Path output) throws IOException {
        return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    }

    static Run run(String... argv) throws IOException, InterruptedException {
        // Output to a file and the bound on the wait: reading a pipe to its end would wait as long as a hung child.
        Path output = Files.createTempFile(HostScripts.targetDir("deb-package-it"), "run", ".log");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within 120 s: " + text(output));
            }
            return new Run(p.exitValue(), text(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
