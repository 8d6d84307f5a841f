package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.feed.FeedConfigException;
import org.patchvisor.feed.FeedUnreachableException;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.host.HostUpgrade;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.publish.BuildException;
import org.patchvisor.rollout.Report;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.state.LockFileException;
import org.patchvisor.state.StateLockedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ExitPolicyTest {

    @Test
    void everyOutcomeHasItsDocumentedCode() {
        Map<Outcome, Integer> expected = new EnumMap<>(Outcome.class);
        expected.put(Outcome.APPLIED, 0);
        expected.put(Outcome.ALREADY_PATCHED, 0);
        expected.put(Outcome.SKIPPED, 0);
        expected.put(Outcome.PLANNED, 0);
        expected.put(Outcome.REVOKED_REMOVED, 0);
        expected.put(Outcome.NO_PATCH, 15);
        expected.put(Outcome.NOT_ROOT, 3);
        expected.put(Outcome.UNSUPPORTED, 4);
        expected.put(Outcome.REFUSED, 5);
        expected.put(Outcome.TRANSITION_TIMEOUT, 6);
        expected.put(Outcome.LOCKED, 7);
        expected.put(Outcome.KERNEL_REFUSED, 8);
        expected.put(Outcome.NOT_FOUND, 9);
        expected.put(Outcome.GONE, 9);
        expected.put(Outcome.IN_CONTAINER, 10);
        expected.put(Outcome.REVERT_FAILED, 11);
        expected.put(Outcome.FAILED_REVERTED, 12);
        expected.put(Outcome.FAILED, 12);
        expected.put(Outcome.TIMED_OUT, 12);
        expected.put(Outcome.HALTED, 12);
        expected.put(Outcome.UNREACHABLE, 13);
        expected.put(Outcome.GAVE_UP, 13);
        expected.put(Outcome.ERROR, 1);
        assertEquals(List.of(Outcome.values()), List.copyOf(expected.keySet()), "every outcome is listed here");
        expected.forEach((outcome, code) -> assertEquals(code, ExitPolicy.code(outcome), outcome.label()));
    }

    @Test
    void aHostUpgradeIsDoneUnlessTheFeedHasNothingForTheKernel() {
        assertEquals(0, ExitPolicy.code(HostUpgrade.Status.APPLIED));
        assertEquals(0, ExitPolicy.code(HostUpgrade.Status.UP_TO_DATE));
        assertEquals(15, ExitPolicy.code(HostUpgrade.Status.NO_PATCHES));
        assertEquals(0, ExitPolicy.code(HostUpgrade.Status.REVOKED_REMOVED));
    }

    @Test
    void aRolloutTakesTheWorstEndInTheDocumentedOrder() {
        assertEquals(0, ExitPolicy.rollout(report(false)));
        assertEquals(0, ExitPolicy.rollout(report(false, Outcome.APPLIED, Outcome.ALREADY_PATCHED, Outcome.NO_PATCH,
                Outcome.SKIPPED)), "no patch for a guest's kernel is not a failure of the rollout");
        assertEquals(0, ExitPolicy.rollout(report(false, Outcome.PLANNED)));
        assertEquals(13, ExitPolicy.rollout(report(false, Outcome.APPLIED, Outcome.UNREACHABLE)));
        assertEquals(5, ExitPolicy.rollout(report(false, Outcome.UNREACHABLE, Outcome.REFUSED)));
        for (Outcome failed : List.of(Outcome.FAILED_REVERTED, Outcome.TIMED_OUT, Outcome.FAILED, Outcome.HALTED)) {
            assertEquals(12, ExitPolicy.rollout(report(false, Outcome.REFUSED, Outcome.UNREACHABLE, failed)),
                    failed.label());
        }
        assertEquals(12, ExitPolicy.rollout(report(true, Outcome.APPLIED)), "a halted rollout failed");
    }

    @Test
    void aWorkerPassFailsOnlyOnWhatRetryingCannotExplain() {
        assertEquals(0, ExitPolicy.workerPass(List.of()));
        assertEquals(0, ExitPolicy.workerPass(List.of(handled(Outcome.APPLIED, true), handled(Outcome.REFUSED, true),
                handled(Outcome.SKIPPED, true), handled(Outcome.GONE, true), handled(Outcome.NO_PATCH, true))),
                "a refusal is final: the guest's kernel will not take the bundle, retrying changes nothing");
        assertEquals(13, ExitPolicy.workerPass(List.of(handled(Outcome.APPLIED, true), handled(Outcome.UNREACHABLE, false))));
        assertEquals(13, ExitPolicy.workerPass(List.of(handled(Outcome.GAVE_UP, true))));
        assertEquals(12, ExitPolicy.workerPass(List.of(handled(Outcome.UNREACHABLE, false),
                handled(Outcome.FAILED_REVERTED, true))));
        for (Outcome kept : List.of(Outcome.FAILED, Outcome.TIMED_OUT, Outcome.HALTED, Outcome.ERROR)) {
            assertEquals(12, ExitPolicy.workerPass(List.of(handled(kept, false))), kept.label());
        }
    }

    @Test
    void everyFailureACommandThrowsHasOneCode() {
        assertEquals(7, ExitPolicy.code(new PatchException(Outcome.LOCKED, "held")));
        assertEquals(10, ExitPolicy.code(new PatchException(Outcome.IN_CONTAINER, "container")));
        assertEquals(17, ExitPolicy.code(new BuildException(BuildException.Reason.REFUSED, "bad manifest")));
        assertEquals(18, ExitPolicy.code(new BuildException(BuildException.Reason.COMPILE, "cc failed")));
        assertEquals(19, ExitPolicy.code(new BuildException(BuildException.Reason.NOT_COVERED, "misses f")));
        assertEquals(7, ExitPolicy.code(new StateLockedException("another check holds the tree")));
        assertEquals(16, ExitPolicy.code(new LockFileException("a symlink at the lock")));
        assertEquals(5, ExitPolicy.code(new ElfFormatException("not ELF")));
        assertEquals(13, ExitPolicy.code(new GuestUnreachableException("no channel")));
        assertEquals(13, ExitPolicy.code(new GuestTimeoutException("silent")));
        assertEquals(1, ExitPolicy.code(new IOException("disk")));
        assertEquals(1, ExitPolicy.code(new IllegalStateException("a bug")));
    }

    @Test
    void aFeedFailureIsFeedFailedWhereTheFeedIsTheJobAndAnErrorElsewhere() {
        Object upgrade = new ExitPolicy.FeedCommand() { };
        assertEquals(14, ExitPolicy.code(new FeedUnreachableException("https://feed: timed out"), upgrade));
        assertEquals(14, ExitPolicy.code(new FeedConfigException("patchvisor.conf line 3: bad"), upgrade));
        assertEquals(1, ExitPolicy.code(new FeedConfigException("patchvisor.conf line 3: bad"), new Object()),
                "status and apply read the config only for the state directory");
        assertEquals(9, ExitPolicy.code(new PatchException(Outcome.NOT_FOUND, "none"), upgrade));
    }

    @Test
    void aCommandThatDoesNotCatchStillGetsTheCodeAndOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Thrower(new BuildException(BuildException.Reason.COMPILE,
                "pv.c:3: error\nsecond line"))).setExecutionExceptionHandler(new ShortErrorHandler())
                .setErr(new PrintWriter(err));
        assertEquals(18, cli.execute());
        assertEquals("patchvisor: pv.c:3: error\\x0asecond line\n", err.toString());

        StringWriter feedErr = new StringWriter();
        CommandLine feed = new CommandLine(new FeedThrower()).setExecutionExceptionHandler(new ShortErrorHandler())
                .setErr(new PrintWriter(feedErr));
        assertEquals(14, feed.execute());
        assertEquals("patchvisor: https://feed/index.json: unreachable\n", feedErr.toString());
    }

    private static Report report(boolean halted, Outcome... ends) {
        List<Report.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < ends.length; i++) {
            rows.add(new Report.Row("vm" + i, "6.1.0-18-amd64", null, ends[i], null, 0));
        }
        return new Report(false, halted, halted ? "halted after 1 failure(s)" : null, 0, Map.of(), rows);
    }

    private static SpoolDrainer.Handled handled(Outcome outcome, boolean isFinal) {
        return new SpoolDrainer.Handled("vm", 1, new SpoolDrainer.Result(outcome, isFinal, ""));
    }

    @Command(name = "thrower")
    static class Thrower implements Callable<Integer> {
        private final Exception failure;

        Thrower(Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    @Command(name = "feed-thrower")
    static class FeedThrower implements Callable<Integer>, ExitPolicy.FeedCommand {
        @Override
        public Integer call() throws Exception {
            throw new FeedUnreachableException("https://feed/index.json: unreachable");
        }
    }
}
