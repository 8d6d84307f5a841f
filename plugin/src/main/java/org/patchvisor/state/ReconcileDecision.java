package org.patchvisor.state;

import java.util.Objects;

/** What to do about one operation a dead run left pending, and why, in one line for the operator. */
public record ReconcileDecision(Action action, String explanation) {

    public enum Action {
        /**
         * The operation's effect is complete in the kernel: record it (apply: as installed; remove: as
         * removed) and mark the journal entry RECONCILED.
         */
        COMMIT,
        /**
         * A transition is still running: wait for it, then decide again; if it does not finish in time,
         * reverse it (apply: disable; remove: enable again).
         */
        FINISH_OR_REVERT,
        /** A disabled patch or a bare module is left loaded: unload it (and for remove, record the removal). */
        UNLOAD,
        /** The kernel shows nothing that needs doing: only mark the journal entry RECONCILED. */
        FORGET
    }

    public ReconcileDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(explanation, "explanation");
    }

    @Override
    public String toString() {
        return action + ": " + explanation;
    }
}
