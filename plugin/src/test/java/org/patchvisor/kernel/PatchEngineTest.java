package org.patchvisor.kernel;

import org.patchvisor.model.Outcome;
import org.patchvisor.time.FakeTicker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.patchvisor.kernel.FakeKernel.Behaviour;

class PatchEngineTest {
    private final FakeKernel kernel = new FakeKernel();
    private final FakeTicker ticker = new FakeTicker();
    private final PatchEngine engine = new PatchEngine(kernel, ticker);

    @Test
    void appliesWaitsAndVerifies() throws Exception {
        Path ko = kernel.module(Behaviour.quick("pv_cmdline"));
        ApplyReport report = engine.apply(ko, "pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        assertFalse(report.alreadyApplied());
        assertEquals(Map.of("vmlinux", List.of("pv_cmdline_fn,1")), report.functions());
        assertTrue(kernel.patch("pv_cmdline").orElseThrow().enabled());
        assertEquals(FakeKernel.TAINT_K, report.taint());
    }

    @Test
    void secondApplyOfALivePatchChangesNothing() throws Exception {
        Path ko = kernel.module(Behaviour.quick("pv_cmdline"));
        engine.apply(ko, "pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        kernel.calls.clear();
        ApplyReport again = engine.apply(ko, "pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        assertTrue(again.alreadyApplied());
        assertEquals(List.of(), kernel.calls);
    }

    @Test
    void retriesWhileAnotherTransitionRuns() throws Exception {
        kernel.ebusyLoads = 3;
        Path ko = kernel.module(Behaviour.quick("pv_cmdline"));
        ApplyReport report = engine.apply(ko, "pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        assertEquals(3, report.loadRetries());
        // 50 + 100 + 200 ms of back-off before the fourth try.
        assertTrue(ticker.now >= Duration.ofMillis(350).toNanos());
    }

    @Test
    void givesUpOnBusyKernelAtTheTimeout() {
        kernel.ebusyLoads = Integer.MAX_VALUE;
        Path ko = kernel.module(Behaviour.quick("pv_cmdline"));
        PatchException e = assertThrows(PatchException.class,
                () -> engine.apply(ko, "pv_cmdline", Duration.ofSeconds(5), TransitionWaiter.Listener.NONE));
        assertEquals(Outcome.KERNEL_REFUSED, e.outcome());
        assertTrue(e.getMessage().contains("another live patch stayed in transition"), e.getMessage());
        assertTrue(ticker.now <= Duration.ofSeconds(5).toNanos());
    }

    @Test
    void stuckTransitionIsReversedAndUnloadedNamingBlockers() {
        Path ko = kernel.module(Behaviour.stuck("pv_stuck"));
        List<String> seen = new java.util.ArrayList<>();
        PatchException e = assertThrows(PatchException.class, () -> engine.apply(ko, "pv_stuck", Duration.ofSeconds(3),
                (patch, elapsed, blockers) -> seen.add(PatchEngine.describe(blockers))));
        assertEquals(Outcome.TRANSITION_TIMEOUT, e.outcome());
        assertTrue(e.getMessage().contains("ksoftirqd/0[12]"), e.getMessage());
        assertTrue(e.getMessage().contains("kernel is unchanged"), e.getMessage());
        assertTrue(kernel.patches().isEmpty());
        assertFalse(kernel.moduleLoaded("pv_stuck"));
        assertEquals(List.of("load pv_stuck.ko", "disable pv_stuck", "unload pv_stuck"), kernel.calls);
        assertEquals(2, seen.size(), "a blocker report about once a second: " + seen);
    }

    @Test
    void removeDisablesWaitsAndUnloads() throws Exception {
        Path ko = kernel.module(Behaviour.quick("pv_cmdline"));
        engine.apply(ko, "pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        engine.remove("pv_cmdline", Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        assertTrue(kernel.patches().isEmpty());
        assertFalse(kernel.moduleLoaded("pv_cmdline"));
    }

    @Test
    void removeOfUnknownPatchIsNotFound() {
        PatchException e = assertThrows(PatchException.class,
                () -> engine.remove("nope", Duration.ofSeconds(1), TransitionWaiter.Listener.NONE));
        assertEquals(Outcome.NOT_FOUND, e.outcome());
    }

    @Test
    void cumulativePatchReportsAndUnloadsWhatItSuperseded() throws Exception {
        engine.apply(kernel.module(Behaviour.quick("pv_cmdline")), "pv_cmdline", Duration.ofSeconds(60),
                TransitionWaiter.Listener.NONE);
        Behaviour v2 = new Behaviour("pv_cmdline_v2", 2, true, Map.of("vmlinux", List.of("cmdline_proc_show,1")));
        ApplyReport report = engine.apply(kernel.module(v2), "pv_cmdline_v2", Duration.ofSeconds(60),
                TransitionWaiter.Listener.NONE);
        assertEquals(List.of("pv_cmdline"), report.superseded());
        assertFalse(kernel.moduleLoaded("pv_cmdline"));
        assertEquals(List.of("pv_cmdline_v2"), kernel.patches().stream().map(p -> p.name()).toList());
    }

    @Test
    void stackedPatchesKeepEachOther() throws Exception {
        engine.apply(kernel.module(Behaviour.quick("pv_cmdline")), "pv_cmdline", Duration.ofSeconds(60),
                TransitionWaiter.Listener.NONE);
        ApplyReport second = engine.apply(kernel.module(Behaviour.quick("pv_version")), "pv_version",
                Duration.ofSeconds(60), TransitionWaiter.Listener.NONE);
        assertEquals(List.of(), second.superseded());
        assertEquals(2, kernel.patches().size());
    }

    @Test
    void blockerListIsShortenedForOneLine() {
        List<org.patchvisor.model.Blocker> many = new java.util.ArrayList<>();
        for (int i = 0; i < 11; i++) {
            many.add(new org.patchvisor.model.Blocker(i, "k" + i));
        }
        assertTrue(PatchEngine.describe(many).endsWith("and 3 more"));
    }
}
