package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.state.RunLock;
import org.patchvisor.state.StateCorruptException;

/**
 * Keeps {@link FeedState} in {@code <state-dir>/feed/state.json}, written atomically (merged with what another run
 * saved since this one loaded, under {@code feed/lock}), read as a small regular file only ({@link RegularFiles}): a link to a device or a
 * FIFO planted there is refused, never read. The serials an earlier patchvisor kept per repository
 * ({@link FileSerialStore}) still count as floors for the feed that repository serves.
 */
public final class FileFeedStateStore implements FeedStateStore {
    /** Enough for thousands of revocations; a larger file is not ours. */
    static final long MAX_BYTES = 8L << 20;
    /** A save holds the lock for milliseconds; a holder for longer than this is stuck. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private final Path file;
    private final FileSerialStore legacy;

    public FileFeedStateStore(Path stateDir) {
        this.file = stateDir.resolve("feed").resolve("state.json");
        this.legacy = new FileSerialStore(stateDir);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized FeedState load() throws IOException {
        Optional<byte[]> bytes = RegularFiles.readIfPresent(file, MAX_BYTES, RegularFiles.Links.REFUSE);
        if (bytes.isEmpty()) {
            return FeedState.empty();
        }
        try {
            return CanonicalJson.read(bytes.get(), FeedState.class, file.toString());
        } catch (MalformedIndexException e) {
            throw new StateCorruptException(file, "not a feed state file");
        }
    }

    @Override
    public synchronized void save(FeedState update) throws IOException {
        try (RunLock held = lock()) {
            AtomicFiles.write(file, CanonicalJson.write(load().merge(update)));
        }
    }

    /** Writes {@code state} as it is, without merging: only for an operator's {@code reset-trust}. */
    public synchronized void replace(FeedState state) throws IOException {
        try (RunLock held = lock()) {
            AtomicFiles.write(file, CanonicalJson.write(state));
        }
    }

    /**
     * The lock beside the file, held from the read to the write of a merge: the timer's check and the worker run as
     * separate processes, and one must not write back a floor lower than the other just saved.
     */
    private RunLock lock() throws IOException {
        return RunLock.acquire(file.getParent(), "saving the feed state", LOCK_WAIT);
    }

    @Override
    public OptionalLong legacySerial(String repository) throws IOException {
        return legacy.lastAccepted(repository);
    }
}
