package org.patchvisor.fleet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.spi.Guest;

/**
 * What {@code guests} and {@code status --guests} show per guest: its state, whether its agent answers, the
 * kernel it runs and the live patches it carries. Guests are asked in parallel (each through its own channel),
 * since a silent agent costs its full timeout. The CLI renders the rows.
 */
public final class GuestInventory {
    private static final int PARALLEL = 8;

    /** One guest's line. {@code agent} is "yes", "no" or "-" (not running); {@code note} says why not. */
    public record Row(Guest guest, String agent, KernelId kernel, List<LivePatch> patches, String note) {
        /** The note quotes the guest's errors; the guest's name and patch names are exact, printable when shown. */
        public Row {
            note = GuestText.printable(note);
        }
    }

    private GuestInventory() {
    }

    public static List<Row> collect(List<GuestTargets.Target> targets, GuestPatcher patcher) throws IOException {
        if (targets.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, targets.size()), r -> {
            Thread t = new Thread(r, "guest-inventory");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Row>> futures = new ArrayList<>();
            for (GuestTargets.Target target : targets) {
                futures.add(pool.submit(() -> row(target, patcher)));
            }
            List<Row> rows = new ArrayList<>();
            for (Future<Row> f : futures) {
                rows.add(f.get());
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the guests", e);
        } catch (ExecutionException e) {
            throw new IOException("asking a guest failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Row row(GuestTargets.Target target, GuestPatcher patcher) {
        Guest guest = target.guest();
        if (target.adapter().sharesHostKernel()) {
            return new Row(guest, "-", null, List.of(), "shares the host kernel");
        }
        if (!guest.running()) {
            return new Row(guest, "-", null, List.of(), "");
        }
        try (GuestChannel channel = target.adapter().channel(guest)) {
            KernelId kernel = patcher.identify(channel);
            return new Row(guest, "yes", kernel, patcher.patches(channel), "");
        } catch (IOException | GuestTimeoutException e) {
            return new Row(guest, "no", null, List.of(), e.getMessage());
        }
    }
}
