package org.patchvisor.kernel;

import org.patchvisor.model.Outcome;
import org.patchvisor.time.FakeTicker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.host.HostPatcher;
import org.patchvisor.kernel.FakeKernel.Behaviour;
import org.patchvisor.model.KernelId;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.Journal;
import org.patchvisor.state.JournalEntry;
import org.patchvisor.state.Operation;
import org.patchvisor.state.Phase;
import org.patchvisor.state.StateStore;

/** The journalled host patcher over the fake kernel: records, and what a later run does after a kill -9. */
class HostPatcherTest {
    static final Path SAMPLE = Path.of("src/test/resources/elf/livepatch_sample.ko");
    static final String NAME = "livepatch_sample";

    @TempDir
    Path state;
    final FakeKernel kernel = new FakeKernel();
    final FakeTicker ticker = new FakeTicker();

    HostPatcher patcher() {
        return new HostPatcher(kernel, ticker, Clock.systemUTC(), state, Duration.ZERO, true);
    }

    KernelId id() {
        return kernel.identify();
    }

    @Test
    void applyRecordsThePatchAndClosesTheJournal() throws Exception {
        kernel.anyOtherFile = Behaviour.quick(NAME);
        patcher().apply(SAMPLE.toAbsolutePath(), "test", Duration.ofSeconds(30), TransitionWaiter.Listener.NONE);
        List<InstalledPatch> installed = new StateStore(state).installed(id());
        assertEquals(List.of(NAME), installed.stream().map(InstalledPatch::patchName).toList());
        assertTrue(new Journal(state).pending().isEmpty());
        assertEquals(Phase.COMMITTED, new Journal(state).entries().get(0).phase());
    }

    @Test
    void theJournalIsStampedOnTheInjectedClock() throws Exception {
        Instant now = Instant.parse("2026-03-04T05:06:07Z");
        kernel.anyOtherFile = Behaviour.quick(NAME);
        new HostPatcher(kernel, ticker, Clock.fixed(now, ZoneOffset.UTC), state, Duration.ZERO, true)
                .apply(SAMPLE.toAbsolutePath(), "test", Duration.ofSeconds(30), TransitionWaiter.Listener.NONE);
        JournalEntry entry = new Journal(state).entries().get(0);
        assertEquals(List.of(now, now), List.of(entry.startedAt(), entry.updatedAt()));
    }

    @Test
    void timedOutApplyIsJournalledAsRevertedAndNotRecorded() throws Exception {
        kernel.anyOtherFile = Behaviour.stuck(NAME);
        PatchException e = assertThrows(PatchException.class, () -> patcher().apply(SAMPLE.toAbsolutePath(), "test",
                Duration.ofSeconds(2), TransitionWaiter.Listener.NONE));
        assertEquals(Outcome.TRANSITION_TIMEOUT, e.outcome());
        assertTrue(new StateStore(state).installed(id()).isEmpty());
        assertEquals(Phase.REVERTED, new Journal(state).entries().get(0).phase());
    }

    @Test
    void aRunKilledMidTransitionIsRevertedByTheNextRun() throws Exception {
        // What a killed run leaves: the journal says "apply began", the kernel is stuck in the transition.
        Path staged = new StateStore(state).stage(SAMPLE);
        kernel.anyOtherFile = Behaviour.stuck(NAME);
        kernel.load(staged);
        new Journal(state).begin(Operation.APPLY, NAME, id(), staged.getFileName().toString().replace(".ko", ""));

        List<String> removed = patcher().remove(Optional.empty(), Duration.ofSeconds(2), TransitionWaiter.Listener.NONE);
        assertEquals(List.of(), removed, "nothing left to remove once the stuck patch was settled");
        assertTrue(kernel.patches().isEmpty());
        assertFalse(kernel.moduleLoaded(NAME));
        assertTrue(new Journal(state).pending().isEmpty());
        assertTrue(new StateStore(state).installed(id()).isEmpty());
    }

    @Test
    void settlingAloneRevertsAPatchAStoppedRunLeftMidTransition() throws Exception {
        // What `systemctl stop` of an upgrade leaves: the apply journalled as begun, the patch loaded, stuck.
        Path staged = new StateStore(state).stage(SAMPLE);
        kernel.anyOtherFile = Behaviour.stuck(NAME);
        kernel.load(staged);
        new Journal(state).begin(Operation.APPLY, NAME, id(), staged.getFileName().toString().replace(".ko", ""));

        List<String> settled = patcher().settleInterrupted(Duration.ofSeconds(2));
        assertEquals(1, settled.size(), settled.toString());
        assertTrue(settled.get(0).startsWith("settled an interrupted apply of " + NAME), settled.get(0));
        assertTrue(kernel.patches().isEmpty(), "no half-applied patch passes for one in force");
        assertFalse(kernel.moduleLoaded(NAME));
        assertEquals(Phase.RECONCILED, new Journal(state).entries().get(0).phase());
        assertEquals(List.of(), patcher().settleInterrupted(Duration.ofSeconds(2)), "nothing left the second time");
    }

    @Test
    void aRunKilledAfterTheTransitionFinishedIsRecordedByTheNextRun() throws Exception {
        Path staged = new StateStore(state).stage(SAMPLE);
        kernel.anyOtherFile = new Behaviour(NAME, 1, false, Map.of("vmlinux", List.of("cmdline_proc_show,1")));
        kernel.load(staged);
        kernel.patch(NAME); // the transition finishes
        new Journal(state).begin(Operation.APPLY, NAME, id(), staged.getFileName().toString().replace(".ko", ""));

        List<HostPatcher.LoadResult> loaded = patcher().loadInstalled(Duration.ofSeconds(2), TransitionWaiter.Listener.NONE)
                .loaded();
        assertEquals(1, loaded.size());
        assertTrue(loaded.get(0).report().alreadyApplied());
        assertEquals(NAME, new StateStore(state).installed(id()).get(0).patchName());
        JournalEntry closed = new Journal(state).entries().get(0);
        assertEquals(Phase.RECONCILED, closed.phase());
    }

    @Test
    void aSecondRunWhileOneHoldsTheLockIsRefused() throws Exception {
        try (var held = org.patchvisor.state.RunLock.acquire(state, "apply", Duration.ZERO)) {
            // Same JVM, second channel: the lock reports busy all the same.
            PatchException e = assertThrows(PatchException.class,
                    () -> patcher().remove(Optional.of(NAME), Duration.ofSeconds(1), TransitionWaiter.Listener.NONE));
            assertEquals(Outcome.LOCKED, e.outcome());
            assertTrue(e.getMessage().startsWith("another patchvisor run holds"), e.getMessage());
        }
    }
}
