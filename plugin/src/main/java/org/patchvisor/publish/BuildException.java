package org.patchvisor.publish;

import java.io.IOException;

/**
 * A live-patch build that was refused or failed, with the reason that picks the exit code: a bad manifest or a
 * replacement the target kernel does not have ({@link Reason#REFUSED}), a compiler failure ({@link Reason#COMPILE}),
 * or a fix the live patch does not fully cover ({@link Reason#NOT_COVERED}).
 */
public final class BuildException extends IOException {
    public enum Reason { REFUSED, COMPILE, NOT_COVERED }

    private final Reason reason;

    public BuildException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
