package org.patchvisor.detect;

import java.util.Objects;

/**
 * One observation behind a detection: the absolute path on the examined machine (not the fixture path)
 * and what was seen there, so a human can check the conclusion with {@code cat}.
 */
public record Evidence(String path, String seen) {

    public Evidence {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(seen, "seen");
    }

    @Override
    public String toString() {
        return path + ": " + seen;
    }
}
