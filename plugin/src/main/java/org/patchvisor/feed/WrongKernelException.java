package org.patchvisor.feed;

/** A bundle does not target the kernel it is being fetched for. */
public final class WrongKernelException extends FeedException {
    public WrongKernelException(String message) {
        super(message);
    }

    public WrongKernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
