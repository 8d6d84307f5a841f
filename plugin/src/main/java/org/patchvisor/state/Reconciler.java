package org.patchvisor.state;

import java.util.Optional;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.ReconcileDecision.Action;

/**
 * Decides what a pending journal entry means, given what the kernel shows now. Pure: the caller reads the
 * kernel ({@code KernelPort.patch}, {@code moduleLoaded}) and carries the decision out, so every case can be
 * tested without a kernel.
 *
 * <pre>
 *   kernel shows                         APPLY             REMOVE
 *   enabled, transition finished         COMMIT            FORGET (removal never took effect)
 *   in transition (either direction)     FINISH_OR_REVERT  FINISH_OR_REVERT
 *   registered but disabled              UNLOAD            UNLOAD
 *   module loaded, no livepatch dir      UNLOAD            UNLOAD
 *   nothing                              FORGET            COMMIT (removal complete)
 * </pre>
 */
public final class Reconciler {

    private Reconciler() {
    }

    /**
     * Like {@link #decide(JournalEntry, Optional, boolean)}, but first checks that the entry was made on the
     * running kernel; an entry from another kernel (rebooted since) has nothing left in this one.
     */
    public static ReconcileDecision decide(JournalEntry entry, KernelId running, Optional<LivePatch> live,
            boolean moduleLoaded) {
        if (!running.matches(entry.kernel())) {
            return new ReconcileDecision(Action.FORGET, describe(entry) + " was on kernel " + entry.kernel().release()
                    + ", not the running " + running.release() + ": nothing of it is left in this kernel");
        }
        return decide(entry, live, moduleLoaded);
    }

    /**
     * @param live         the livepatch of {@code entry.patchName()} under /sys/kernel/livepatch, if any
     * @param moduleLoaded whether its module is loaded (listed in /proc/modules)
     */
    public static ReconcileDecision decide(JournalEntry entry, Optional<LivePatch> live, boolean moduleLoaded) {
        if (!entry.pending()) {
            throw new IllegalArgumentException("operation " + entry.id() + " already ended " + entry.phase()
                    + "; only pending operations are reconciled");
        }
        live.ifPresent(patch -> {
            if (!patch.name().equals(entry.patchName())) {
                throw new IllegalArgumentException("kernel state for " + patch.name()
                        + " passed to reconcile operation on " + entry.patchName());
            }
        });
        return entry.operation() == Operation.APPLY
                ? decideApply(entry, live, moduleLoaded)
                : decideRemove(entry, live, moduleLoaded);
    }

    private static ReconcileDecision decideApply(JournalEntry entry, Optional<LivePatch> live, boolean moduleLoaded) {
        String what = describe(entry);
        if (live.isPresent()) {
            LivePatch patch = live.get();
            if (patch.inTransition()) {
                return transition(entry.operation(), what, patch);
            }
            if (patch.enabled()) {
                return new ReconcileDecision(Action.COMMIT,
                        what + ": the patch is live and its transition finished; recording it as installed");
            }
            return new ReconcileDecision(Action.UNLOAD,
                    what + ": the patch is registered but disabled; unloading its module");
        }
        if (moduleLoaded) {
            return new ReconcileDecision(Action.UNLOAD,
                    what + ": the module is loaded but no livepatch is registered; unloading it");
        }
        return new ReconcileDecision(Action.FORGET, what + ": nothing of it is in the kernel"
                + (entry.phase() == Phase.STARTED || entry.phase() == Phase.LOADING
                        ? " (the run died before the load finished)" : " (unloaded since)")
                + "; forgetting it");
    }

    private static ReconcileDecision decideRemove(JournalEntry entry, Optional<LivePatch> live, boolean moduleLoaded) {
        String what = describe(entry);
        if (live.isPresent()) {
            LivePatch patch = live.get();
            if (patch.inTransition()) {
                return transition(entry.operation(), what, patch);
            }
            if (patch.enabled()) {
                return new ReconcileDecision(Action.FORGET,
                        what + ": the patch is still live and enabled (the removal never took effect); keeping it"
                                + " installed");
            }
            return new ReconcileDecision(Action.UNLOAD,
                    what + ": the patch is disabled but still registered; unloading its module to finish the removal");
        }
        if (moduleLoaded) {
            return new ReconcileDecision(Action.UNLOAD,
                    what + ": the patch is disabled but its module is still loaded; unloading it to finish the removal");
        }
        return new ReconcileDecision(Action.COMMIT,
                what + ": the patch is gone from the kernel; recording the removal");
    }

    private static ReconcileDecision transition(Operation op, String what, LivePatch patch) {
        String plan;
        if (op == Operation.APPLY) {
            plan = patch.enabled()
                    ? "the patching transition is still running; wait for it and disable the patch if it does not finish"
                    : "the patch is being reversed; wait for the reversal to finish, then unload it";
        } else {
            plan = patch.enabled()
                    ? "a transition back to the patched state is still running; wait for it, the patch stays installed"
                    : "the unpatching transition is still running; wait for it and enable the patch again if it does"
                            + " not finish";
        }
        return new ReconcileDecision(Action.FINISH_OR_REVERT, what + ": " + plan);
    }

    private static String describe(JournalEntry entry) {
        return entry.operation().name().toLowerCase(java.util.Locale.ROOT) + " of " + entry.patchName()
                + " (operation " + entry.id() + ", pid " + entry.pid() + ", last phase " + entry.phase() + ")";
    }
}
