package org.patchvisor.feed;

import java.io.IOException;
import java.util.OptionalLong;

/** Where a host keeps its {@link FeedState}; a dry run and a mirror keep nothing. */
public interface FeedStateStore {

    FeedState load() throws IOException;

    /** Records {@code update}, merged with whatever was recorded meanwhile; called only after every check passed. */
    void save(FeedState update) throws IOException;

    /** The serial an earlier patchvisor, which kept serials per repository, accepted from {@code repository}. */
    default OptionalLong legacySerial(String repository) throws IOException {
        return OptionalLong.empty();
    }

    /** For one-shot readers that keep no host state. */
    static FeedStateStore none() {
        return of(FeedState.empty());
    }

    /** A state known in advance and kept nowhere ({@code repo mirror} takes its trust from the mirror's index). */
    static FeedStateStore of(FeedState state) {
        return new FeedStateStore() {
            @Override
            public FeedState load() {
                return state;
            }

            @Override
            public void save(FeedState update) {
            }
        };
    }

    /** Reads {@code store} but records nothing: a dry run checks for replay and leaves no trace. */
    static FeedStateStore readOnly(FeedStateStore store) {
        return new FeedStateStore() {
            @Override
            public FeedState load() throws IOException {
                return store.load();
            }

            @Override
            public void save(FeedState update) {
            }

            @Override
            public OptionalLong legacySerial(String repository) throws IOException {
                return store.legacySerial(repository);
            }
        };
    }
}
