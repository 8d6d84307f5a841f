package org.patchvisor.spi;

import java.io.IOException;

/** No way into a guest right now: no agent channel, or the agent does not answer. */
public final class GuestUnreachableException extends IOException {
    public GuestUnreachableException(String message) {
        super(message);
    }

    public GuestUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
