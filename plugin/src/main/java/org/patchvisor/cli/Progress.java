package org.patchvisor.cli;

import java.io.PrintWriter;
import org.patchvisor.kernel.PatchEngine;
import org.patchvisor.kernel.TransitionWaiter;

/** Tells the operator, once a second, which tasks hold a transition up. */
final class Progress {
    private Progress() {
    }

    static TransitionWaiter.Listener to(PrintWriter err, boolean enabled) {
        if (!enabled) {
            return TransitionWaiter.Listener.NONE;
        }
        return (patch, elapsed, blockers) -> {
            if (blockers.isEmpty()) {
                return; // the kernel is just between its once-a-second retries: nothing to tell
            }
            err.printf("waiting for %s: %d s, %d task(s) not yet switched: %s%n", patch, elapsed.toSeconds(),
                    blockers.size(), PatchEngine.describe(blockers));
            err.flush();
        };
    }
}
