package org.patchvisor.rollout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Each kernel group's bundle, downloaded once, when its first guest needs it: the other guests on that kernel
 * wait for the same download. A failed download is remembered too, so a broken feed is asked once per kernel,
 * not once per guest.
 */
final class Downloads {
    private final BundleFetcher fetcher;
    private final ConcurrentMap<KernelKey, CompletableFuture<Path>> modules = new ConcurrentHashMap<>();

    Downloads(BundleFetcher fetcher) {
        this.fetcher = fetcher;
    }

    Path module(Plan.KernelGroup group) throws IOException, InterruptedException {
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> existing = modules.putIfAbsent(group.key(), mine);
        if (existing == null) {
            try {
                mine.complete(fetcher.fetch(group.bundle().orElseThrow(), group.kernel()));
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
            }
            existing = mine;
        }
        try {
            return existing.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("bundle " + group.bundle().map(b -> b.id()).orElse("?") + " for "
                    + group.describeKernel() + " could not be downloaded: " + Workers.describe(cause), cause);
        }
    }
}
