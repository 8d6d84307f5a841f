package org.patchvisor.kernel;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.LivePatch;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * Waits for a live-patch transition to reach its target, polling sysfs every {@link #POLL} (kpatch polls once
 * a second; the kernel itself retries about once a second, so a fine poll is what keeps our overhead small).
 * Blocking tasks are sampled less often: scanning every thread of a busy host 50 times a second would cost more
 * than the wait.
 */
public final class TransitionWaiter {
    static final Duration POLL = Duration.ofMillis(10);
    static final Duration BLOCKER_SAMPLE = Duration.ofSeconds(1);

    /** Told about the tasks holding up a transition, about once a second while it lasts. */
    public interface Listener {
        void blocked(String patch, Duration elapsed, List<Blocker> blockers);

        Listener NONE = (patch, elapsed, blockers) -> { };
    }

    /** How a wait ended: {@code finished}, or not, with the last blockers seen. */
    public record Result(boolean finished, Duration elapsed, List<Blocker> blockers) {
        public Result {
            blockers = List.copyOf(blockers);
        }
    }

    private final KernelPort kernel;
    private final Ticker ticker;

    public TransitionWaiter(KernelPort kernel, Ticker ticker) {
        this.kernel = kernel;
        this.ticker = ticker;
    }

    /**
     * Waits until {@code patch} has finished moving to {@code enabled}. For a disable, the patch directory
     * disappearing (the kernel frees a disabled patch) also counts as finished.
     */
    public Result await(String patch, boolean enabled, Duration timeout, Listener listener)
            throws IOException, InterruptedException {
        Deadline deadline = Deadline.after(ticker, timeout);
        Deadline nextSample = Deadline.after(ticker, BLOCKER_SAMPLE);
        int target = enabled ? 1 : 0;
        while (true) {
            Optional<LivePatch> state = kernel.patch(patch);
            Duration elapsed = deadline.elapsed();
            if (reached(state, enabled)) {
                return new Result(true, elapsed, List.of());
            }
            if (deadline.expired()) {
                return new Result(false, elapsed, kernel.blockers(target));
            }
            if (nextSample.expired()) {
                listener.blocked(patch, elapsed, kernel.blockers(target));
                nextSample = Deadline.after(ticker, BLOCKER_SAMPLE);
            }
            deadline.sleep(POLL);
        }
    }

    private static boolean reached(Optional<LivePatch> state, boolean enabled) {
        if (state.isEmpty()) {
            return !enabled;
        }
        LivePatch p = state.get();
        return !p.inTransition() && p.enabled() == enabled;
    }
}
