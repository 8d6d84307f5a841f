package org.patchvisor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.ReconcileDecision.Action;

class ReconcilerTest {

    private static final String NAME = "livepatch_cve_2024_1086";
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    /** What the kernel can show for the patch: the livepatch directory (or none) and whether the module is loaded. */
    enum Kernel {
        LIVE(live(true, false), true),
        PATCHING(live(true, true), true),
        UNPATCHING(live(false, true), true),
        DISABLED(live(false, false), true),
        MODULE_ONLY(Optional.empty(), true),
        NOTHING(Optional.empty(), false);

        final Optional<LivePatch> patch;
        final boolean moduleLoaded;

        Kernel(Optional<LivePatch> patch, boolean moduleLoaded) {
            this.patch = patch;
            this.moduleLoaded = moduleLoaded;
        }
    }

    static Stream<Arguments> everyCase() {
        return Stream.of(
                Arguments.of(Operation.APPLY, Kernel.LIVE, Action.COMMIT, "recording it as installed"),
                Arguments.of(Operation.APPLY, Kernel.PATCHING, Action.FINISH_OR_REVERT, "disable the patch if"),
                Arguments.of(Operation.APPLY, Kernel.UNPATCHING, Action.FINISH_OR_REVERT, "then unload it"),
                Arguments.of(Operation.APPLY, Kernel.DISABLED, Action.UNLOAD, "registered but disabled"),
                Arguments.of(Operation.APPLY, Kernel.MODULE_ONLY, Action.UNLOAD, "no livepatch is registered"),
                Arguments.of(Operation.APPLY, Kernel.NOTHING, Action.FORGET, "nothing of it is in the kernel"),
                Arguments.of(Operation.REMOVE, Kernel.LIVE, Action.FORGET, "removal never took effect"),
                Arguments.of(Operation.REMOVE, Kernel.PATCHING, Action.FINISH_OR_REVERT, "stays installed"),
                Arguments.of(Operation.REMOVE, Kernel.UNPATCHING, Action.FINISH_OR_REVERT, "enable the patch again"),
                Arguments.of(Operation.REMOVE, Kernel.DISABLED, Action.UNLOAD, "finish the removal"),
                Arguments.of(Operation.REMOVE, Kernel.MODULE_ONLY, Action.UNLOAD, "finish the removal"),
                Arguments.of(Operation.REMOVE, Kernel.NOTHING, Action.COMMIT, "recording the removal"));
    }

    @ParameterizedTest(name = "{0} with kernel {1} -> {2}")
    @MethodSource("everyCase")
    void decidesEveryCombination(Operation op, Kernel kernel, Action expected, String because) {
        for (Phase phase : Phase.values()) {
            if (phase.terminal()) {
                continue;
            }
            ReconcileDecision decision = Reconciler.decide(entry(op, phase), kernel.patch, kernel.moduleLoaded);
            assertEquals(expected, decision.action(), phase + ": " + decision);
            assertTrue(decision.explanation().contains(because), decision.explanation());
            assertTrue(decision.explanation().startsWith(op.name().toLowerCase() + " of " + NAME + " (operation 3, pid 777, last phase " + phase + ")"),
                    decision.explanation());
            assertTrue(!decision.explanation().contains("\n"));
        }
    }

    @Test
    void theTableCoversEveryOperationAndKernelState() {
        List<Arguments> cases = everyCase().toList();
        assertEquals(Operation.values().length * Kernel.values().length, cases.size());
        for (Operation op : Operation.values()) {
            for (Kernel kernel : Kernel.values()) {
                assertTrue(cases.stream().anyMatch(c -> c.get()[0] == op && c.get()[1] == kernel), op + " " + kernel);
            }
        }
    }

    @Test
    void saysWhenTheRunDiedBeforeLoading() {
        assertTrue(Reconciler.decide(entry(Operation.APPLY, Phase.LOADING), Optional.empty(), false).explanation()
                .contains("the run died before the load finished"));
        assertTrue(Reconciler.decide(entry(Operation.APPLY, Phase.TRANSITION), Optional.empty(), false).explanation()
                .contains("unloaded since"));
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"COMMITTED", "REVERTED", "FAILED", "RECONCILED"})
    void refusesFinishedOperations(Phase phase) {
        assertThrows(IllegalArgumentException.class,
                () -> Reconciler.decide(entry(Operation.APPLY, phase), Optional.empty(), false));
    }

    @Test
    void refusesKernelStateOfAnotherPatch() {
        Optional<LivePatch> other = Optional.of(new LivePatch("livepatch_other", true, false, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> Reconciler.decide(entry(Operation.APPLY, Phase.LOADED), other, true));
    }

    @Test
    void anEntryFromAnotherKernelIsForgotten() {
        KernelId rebootedInto = StateStoreTest.CLOUD;
        ReconcileDecision decision = Reconciler.decide(entry(Operation.APPLY, Phase.TRANSITION), rebootedInto,
                Kernel.MODULE_ONLY.patch, true);
        assertEquals(Action.FORGET, decision.action());
        assertTrue(decision.explanation().contains("not the running 6.1.0-56-cloud-amd64"), decision.explanation());

        ReconcileDecision same = Reconciler.decide(entry(Operation.APPLY, Phase.TRANSITION), StateStoreTest.HOST,
                Kernel.LIVE.patch, true);
        assertEquals(Action.COMMIT, same.action());
    }

    private static JournalEntry entry(Operation op, Phase phase) {
        return new JournalEntry(3, op, NAME, StateStoreTest.HOST, phase, 777, T0, T0);
    }

    private static Optional<LivePatch> live(boolean enabled, boolean inTransition) {
        return Optional.of(new LivePatch(NAME, enabled, inTransition, Map.of("vmlinux", List.of("cmdline_proc_show"))));
    }
}
