package org.patchvisor.publish;

import java.io.IOException;

/** A publisher command cannot do what was asked: bad module, bad option, a repository in the wrong state. */
public final class PublishException extends IOException {
    public PublishException(String message) {
        super(message);
    }

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
