package org.patchvisor.detect;

/** A file the detector relies on holds something it cannot make sense of. The message names the file. */
public final class DetectionException extends RuntimeException {

    public DetectionException(String message) {
        super(message);
    }
}
