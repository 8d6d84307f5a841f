package org.patchvisor.rollout;

import java.util.stream.Collectors;
import org.patchvisor.guest.GuestText;

/**
 * The plan in words, as {@code --dry-run} prints it: kernels and their bundles, canary, waves, the rest. Guest
 * names are exact in the plan (they address the guests), so they are made printable here.
 */
public final class PlanText {
    private PlanText() {
    }

    public static String render(Plan plan) {
        RolloutOptions o = plan.options();
        StringBuilder text = new StringBuilder();
        text.append(String.format("plan: %d guest(s), %d kernel(s), %d to patch; at most %d at once, %s, %d ms per guest%n",
                plan.guestCount(), plan.groups().size(), plan.targetCount(), o.maxParallel(),
                o.maxFailures() == 0 ? "never halt" : "halt after " + o.maxFailures() + " failure(s)",
                o.perGuestTimeout().toMillis()));
        for (Plan.KernelGroup group : plan.groups()) {
            text.append(String.format("kernel %s: %s, %d guest(s)%n", group.describeKernel(),
                    group.bundle().map(b -> "bundle " + b.id() + " (level " + b.cumulativeLevel() + ", "
                            + b.module() + ")").orElse("no bundle"), group.guests()));
        }
        int n = 0;
        for (Plan.Wave wave : plan.waves()) {
            n++;
            text.append(String.format("%s %d (%s, %d guest(s)): %s%n", wave.canary() ? "canary wave" : "wave", n,
                    wave.name(), wave.targets().size(), wave.targets().stream()
                            .map(t -> GuestText.printable(t.guest().name())).collect(Collectors.joining(" "))));
        }
        for (Plan.Settled s : plan.settled()) {
            text.append(String.format("not patched: %s %s (%s)%n", GuestText.printable(s.guest().name()), s.state().label(), s.reason()));
        }
        return text.toString();
    }
}
