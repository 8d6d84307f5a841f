package org.patchvisor.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A state file cannot be read back. Never treated as "empty": forgetting which patches are installed would
 * make the boot service skip them silently, so the operator is told which file to repair or remove.
 */
public final class StateCorruptException extends IOException {
    public StateCorruptException(Path file, String problem) {
        super("state file " + file + " is corrupt (" + oneLine(problem) + "); repair or remove it");
    }

    private static String oneLine(String text) {
        String flat = text == null ? "unreadable" : text.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}
