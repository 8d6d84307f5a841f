package org.patchvisor.kernel;

import java.util.Objects;
import org.patchvisor.model.Outcome;

/**
 * A patch operation that could not be done, with the {@link Outcome} it ended in, which the CLI turns into an
 * exit code. The message is one line meant for an administrator.
 */
public final class PatchException extends Exception {
    private final Outcome outcome;

    public PatchException(Outcome outcome, String message) {
        super(message);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    public PatchException(Outcome outcome, String message, Throwable cause) {
        super(message, cause);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    public Outcome outcome() {
        return outcome;
    }
}
