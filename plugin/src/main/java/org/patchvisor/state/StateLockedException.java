package org.patchvisor.state;

import java.io.IOException;

/** Another patchvisor run holds the state lock and did not release it within the allowed wait. */
public final class StateLockedException extends IOException {
    public StateLockedException(String message) {
        super(message);
    }
}
