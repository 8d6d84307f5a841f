package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * since a silent agent costs its full timeout.
 */
final class GuestInventory {
    private static final int PARALLEL = 8;

    /** One guest's line. {@code agent} is "yes", "no" or "-" (not running); {@code note} says why not. */
    record Row(Guest guest, String agent, KernelId kernel, List<LivePatch> patches, String note) {
        /** The note quotes the guest's errors; the guest's name and patch names are exact, printable when shown. */
        Row {
            note = GuestText.printable(note);
        }
    }

    private GuestInventory() {
    }

    static List<Row> collect(List<GuestTargets.Target> targets, GuestPatcher patcher) throws IOException {
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

    static void print(PrintWriter out, List<Row> rows) {
        out.printf("%-20s %-8s %-6s %-26s %s%n", "NAME", "STATE", "AGENT", "KERNEL", "PATCHES");
        for (Row row : rows) {
            String patches = row.patches().isEmpty() ? "-" : String.join(",", row.patches().stream()
                    .map(p -> GuestText.printable(p.name()) + (p.inTransition() ? "(transition)" : p.enabled() ? "" : "(disabled)"))
                    .toList());
            out.printf("%-20s %-8s %-6s %-26s %s%s%n", GuestText.printable(row.guest().name()),
                    row.guest().state().label(), row.agent(), row.kernel() == null ? "-" : row.kernel().release(),
                    patches, row.note().isEmpty() ? "" : "  (" + row.note() + ")");
        }
    }

    static List<Map<String, Object>> view(List<Row> rows) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", GuestText.printable(row.guest().name()));
            one.put("adapter", row.guest().adapter());
            one.put("id", row.guest().id());
            one.put("state", row.guest().state().label());
            one.put("agent", row.agent());
            one.put("policy", row.guest().policy());
            if (row.kernel() != null) {
                Map<String, Object> kernel = new LinkedHashMap<>();
                kernel.put("release", row.kernel().release());
                kernel.put("version", row.kernel().version());
                kernel.put("machine", row.kernel().machine());
                kernel.put("buildId", row.kernel().buildId().orElse(null));
                one.put("kernel", kernel);
            } else {
                one.put("kernel", null);
            }
            List<Map<String, Object>> patches = new ArrayList<>();
            for (LivePatch p : row.patches()) {
                Map<String, Object> patch = new LinkedHashMap<>();
                patch.put("name", GuestText.printable(p.name()));
                patch.put("enabled", p.enabled());
                patch.put("transition", p.inTransition());
                patch.put("functions", p.functionsByObject());
                patches.add(patch);
            }
            one.put("patches", patches);
            one.put("note", row.note().isEmpty() ? null : row.note());
            list.add(one);
        }
        return list;
    }
}
