package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.state.RunLock;

/** A save reads, merges and writes under {@code feed/lock}, so two runs never write back each other's old state. */
class FileFeedStateStoreTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSaveWaitsForTheRunThatHoldsTheFeedLockAndMergesWithWhatItWrote() throws Exception {
        FileFeedStateStore store = new FileFeedStateStore(tmp);
        FeedState retiredA = new FeedState(Map.of(), Map.of(), Map.of(), List.of("key-a"), Map.of());
        FeedState retiredB = new FeedState(Map.of(), Map.of(), Map.of(), List.of("key-b"), Map.of());
        CompletableFuture<Void> second;
        try (RunLock other = RunLock.acquire(tmp.resolve("feed"), "another run", Duration.ZERO)) {
            second = CompletableFuture.runAsync(() -> {
                try {
                    store.save(retiredB);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(500);
            assertFalse(second.isDone(), "the save waits while another run holds the lock");
            // What the other run writes while it holds the lock.
            org.patchvisor.io.AtomicFiles.write(store.file(), CanonicalJson.write(retiredA));
        }
        second.get(20, TimeUnit.SECONDS);
        assertEquals(List.of("key-a", "key-b"), store.load().retiredKeys().stream().sorted().toList());
    }
}
