package org.patchvisor.kernel;

/**
 * A patch operation that could not be done, with the reason class the CLI turns into an exit code.
 * The message is one line meant for an administrator.
 */
public final class PatchException extends Exception {

    /** Why an operation stopped; each maps to one documented exit code. */
    public enum Reason {
        NOT_ROOT,
        UNSUPPORTED,
        REFUSED,
        TRANSITION_TIMEOUT,
        KERNEL_REFUSED,
        NOT_FOUND,
        REVERT_FAILED,
        LOCKED,
        IN_CONTAINER
    }

    private final Reason reason;

    public PatchException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PatchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
