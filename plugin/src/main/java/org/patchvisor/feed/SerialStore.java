package org.patchvisor.feed;

import java.io.IOException;
import java.util.OptionalLong;

/** Remembers the highest index serial accepted per repository, so an older signed index is refused later. */
public interface SerialStore {

    OptionalLong lastAccepted(String repository) throws IOException;

    /** Called only after an index passed every check. */
    void accept(String repository, long serial) throws IOException;

    /** For one-shot readers (mirroring) that keep no host state. */
    static SerialStore none() {
        return new SerialStore() {
            @Override
            public OptionalLong lastAccepted(String repository) {
                return OptionalLong.empty();
            }

            @Override
            public void accept(String repository, long serial) {
            }
        };
    }

    /** Reads {@code store}'s serials but records none: a dry run checks for replay and leaves no trace. */
    static SerialStore readOnly(SerialStore store) {
        return new SerialStore() {
            @Override
            public OptionalLong lastAccepted(String repository) throws IOException {
                return store.lastAccepted(repository);
            }

            @Override
            public void accept(String repository, long serial) {
            }
        };
    }
}
