package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A word the command line does not know is a usage error, also beside --help. */
class UnknownCommandsTest {
    @TempDir
    Path tmp;
    FakeRoot host;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
    }

    @Test
    void anUnknownCommandWithHelpIsAUsageError() {
        FakeRoot.Run publish = host.run("repo", "publish", "--help");
        assertEquals(ExitCodes.USAGE, publish.exit());
        assertTrue(publish.err().startsWith("unknown command 'publish' for 'patchvisor repo'"), publish.err());
        assertEquals("", publish.out());
        FakeRoot.Run cve = host.run("cve", "--help");
        assertEquals(ExitCodes.USAGE, cve.exit());
        assertTrue(cve.err().startsWith("unknown command 'cve' for 'patchvisor'"), cve.err());
        FakeRoot.Run stray = host.run("repo", "add", "--help", "--frobnicate");
        assertEquals(ExitCodes.USAGE, stray.exit(), stray.out());
    }

    @Test
    void helpForCommandsThatExistStillWorks() {
        for (String[] args : new String[][] {{"--help"}, {"repo", "--help"}, {"repo", "add", "--help"}, {"help", "repo"}}) {
            FakeRoot.Run run = host.run(args);
            assertEquals(ExitCodes.OK, run.exit(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.out().startsWith("Usage: patchvisor"), run.out());
        }
    }
}
