package org.patchvisor.guest;

import java.io.IOException;

/**
 * The QEMU guest agent answered a command with an error object. Kept apart from plain I/O failures so a
 * caller can tell "the agent refused" (bad path, missing program) from "the channel broke".
 */
public final class GuestAgentException extends IOException {
    private final String command;
    private final String errorClass;
    private final String description;

    /** The class and description are the agent's words, made printable before they reach any message. */
    public GuestAgentException(String command, String errorClass, String description) {
        super("guest agent refused " + command + ": " + GuestText.printable(description)
                + (errorClass == null || errorClass.isEmpty() ? "" : " (" + GuestText.printable(errorClass) + ")"));
        this.command = command;
        this.errorClass = GuestText.printable(errorClass);
        this.description = GuestText.printable(description);
    }

    public String command() {
        return command;
    }

    public String errorClass() {
        return errorClass;
    }

    /** The agent's own {@code desc}. */
    public String description() {
        return description;
    }
}
