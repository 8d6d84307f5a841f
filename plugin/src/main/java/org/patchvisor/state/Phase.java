package org.patchvisor.state;

/**
 * How far a journalled operation got. The non-terminal phases tell the next run, after a crash, where the
 * kernel may have been left; the terminal ones say nothing is left to reconcile.
 */
public enum Phase {
    /** Begun: nothing done to the kernel yet. */
    STARTED(false),
    /** finit_module is being called. */
    LOADING(false),
    /** The module is loaded and the livepatch registered. */
    LOADED(false),
    /** Waiting for the (forward or reverse) transition to finish. */
    TRANSITION(false),
    /** {@code enabled} is being set to 0 (removal, or reverting a failed apply). */
    DISABLING(false),
    /** delete_module is being called. */
    UNLOADING(false),
    /** The operation completed as asked. */
    COMMITTED(true),
    /** The operation was undone; the kernel is as it was before. */
    REVERTED(true),
    /** The operation failed; its record says how far it got. */
    FAILED(true),
    /** A later run looked at the kernel and settled what this operation left behind. */
    RECONCILED(true);

    private final boolean terminal;

    Phase(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }
}
