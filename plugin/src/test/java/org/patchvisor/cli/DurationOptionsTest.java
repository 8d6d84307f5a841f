package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.patchvisor.time.Ticker;

/**
 * A duration option that bounds a wait or paces a loop refuses zero as a usage error, before the command runs
 * (a zero {@code worker --poll} once spun the worker); the two where zero is a choice take it.
 */
class DurationOptionsTest {
    @TempDir
    Path tmp;
    FakeRoot host;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "worker --once, --poll, 0s",
            "worker --once, --agent-wait, 0",
            "worker --once, --max-backoff, 0ms",
            "worker --once, --guest-timeout, 0m",
            "upgrade --guests, --guest-timeout, 0s",
            "apply sample.ko, --timeout, 0s",
            "load --all, --timeout, 0",
            "remove --all, --timeout, 0h"})
    void zeroIsAUsageErrorWhereItMakesNoSense(String command, String option, String zero) {
        FakeRoot.Run run = host.run((command + " " + option + " " + zero).split(" "));
        assertEquals(ExitCodes.USAGE, run.exit(), run.err());
        assertTrue(run.err().startsWith("Invalid value for option '" + option + "': '" + zero
                + "' is not a positive duration (examples: 60, 90s, 500ms, 2m, 4h)\n"), run.err());
        assertEquals("", run.out());
        assertEquals("", host.syscalls.toString());
    }

    @Test
    void theLockWaitAndTheWorkersGiveUpTakeZero() {
        FakeRoot.Run status = host.run("status", "--lock-wait", "0", "--state-dir", tmp.resolve("state").toString());
        assertEquals(ExitCodes.OK, status.exit(), status.err());
        WorkerCommand worker = PatchvisorCli.commandLine(new HostContext(host.root, () -> host, Ticker.SYSTEM, Map.of()))
                .parseArgs("worker", "--give-up-after", "0").subcommand().commandSpec().commandLine().getCommand();
        assertEquals(Duration.ZERO, worker.giveUpAfter);
    }
}
