package org.patchvisor.rollout;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;

/**
 * What a rollout will do, decided before any guest is touched: the kernel groups with the bundle chosen for
 * each, the canary wave and the waves after it (guests to patch, in order), and the guests already settled
 * while planning (skipped, unreachable, no patch for their kernel). Every listed guest is in exactly one of
 * {@code waves} or {@code settled}.
 */
public record Plan(RolloutOptions options, List<KernelGroup> groups, List<Wave> waves, List<Settled> settled) {

    public Plan {
        Objects.requireNonNull(options, "options");
        groups = List.copyOf(groups);
        waves = List.copyOf(waves);
        settled = List.copyOf(settled);
    }

    /** Every guest the plan accounts for. */
    public int guestCount() {
        return targetCount() + settled.size();
    }

    /** Guests that will be patched. */
    public int targetCount() {
        return waves.stream().mapToInt(wave -> wave.targets().size()).sum();
    }

    /** Guests running one kernel (same build-id, or same release when there is no build-id). */
    public record KernelGroup(KernelKey key, KernelId kernel, Optional<BundleEntry> bundle, int guests) {
        public KernelGroup {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kernel, "kernel");
            Objects.requireNonNull(bundle, "bundle");
        }

        /** "6.1.0-18-amd64 (build-id 1a2b3c4d5e6f)" — the release and a short build-id. */
        public String describeKernel() {
            return kernel.release() + kernel.buildId()
                    .map(id -> " (build-id " + id.substring(0, Math.min(12, id.length())) + ")").orElse("");
        }
    }

    /** A guest to patch and the kernel group it belongs to. */
    public record Target(Guest guest, KernelGroup group) {
        public Target {
            Objects.requireNonNull(guest, "guest");
            Objects.requireNonNull(group, "group");
        }
    }

    /**
     * Guests patched together: the next wave starts only when this one has finished, so a halt can stop it.
     *
     * @param name   "canary", the policy rollout group, or "default" for guests in no group
     * @param canary true for the canary wave: any failure in it halts the rollout
     */
    public record Wave(String name, boolean canary, List<Target> targets) {
        /** The name comes from the guests' metadata and is only shown: printable (progress, plan, reasons). */
        public Wave {
            name = GuestText.printable(Objects.requireNonNull(name, "name"));
            targets = List.copyOf(targets);
        }
    }

    /** A guest whose end state was decided while planning. {@code kernel} and {@code bundle} may be null. */
    public record Settled(Guest guest, String kernel, String bundle, Outcome state, String reason) {
        /** The kernel and the reason may quote the guest: printable, as in a report row. */
        public Settled {
            Objects.requireNonNull(guest, "guest");
            kernel = GuestText.printable(kernel);
            Objects.requireNonNull(state, "state");
            reason = GuestText.printable(reason);
        }
    }
}
