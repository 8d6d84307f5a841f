package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.Outcome;
import org.patchvisor.model.TaintFlags;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * Puts a live patch into a kernel and takes it out again, leaving the kernel as it was when anything fails:
 * load (retrying while another transition runs), wait for the transition, verify; on timeout reverse the
 * transition and unload. Never writes {@code force}.
 */
public final class PatchEngine {
    /** A load hitting EBUSY backs off from this, doubling, up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** After a disable, the kernel frees the patch asynchronously; the module stays busy until then. */
    static final Duration UNLOAD_PATIENCE = Duration.ofSeconds(10);

    private final KernelPort kernel;
    private final Ticker ticker;
    private final TransitionWaiter waiter;

    public PatchEngine(KernelPort kernel, Ticker ticker) {
        this.kernel = kernel;
        this.ticker = ticker;
        this.waiter = new TransitionWaiter(kernel, ticker);
    }

    /**
     * Loads {@code module} (whose live patch is called {@code patchName}) and waits for its transition. On timeout
     * the patch is reversed and unloaded, and a TRANSITION_TIMEOUT naming the blocking tasks is thrown.
     */
    public ApplyReport apply(Path module, String patchName, Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        Optional<LivePatch> existing = kernel.patch(patchName);
        if (existing.isPresent() && existing.get().enabled() && !existing.get().inTransition()) {
            long taint = kernel.support().taint();
            return new ApplyReport(patchName, true, existing.get().functionsByObject(), List.of(), 0, 0, 0, 0, taint);
        }
        if (existing.isPresent() || kernel.moduleLoaded(patchName)) {
            throw new PatchException(Outcome.REFUSED, "module " + patchName
                    + " is already loaded but its patch is not active; run 'patchvisor remove " + patchName + "' first");
        }
        Set<String> before = names(kernel.patches());
        kernel.prepareLoad();
        Deadline deadline = Deadline.after(ticker, timeout);

        long t0 = ticker.nanoTime();
        int retries = load(module, patchName, deadline);
        long t1 = ticker.nanoTime();

        TransitionWaiter.Result wait = waiter.await(patchName, true, deadline.remaining(), listener);
        if (!wait.finished()) {
            revertAfterTimeout(patchName, timeout, wait.blockers());
        }
        long t2 = ticker.nanoTime();

        LivePatch live = verify(patchName);
        // A replaced patch is disabled at once and freed a little later: absent or disabled both mean superseded.
        List<String> superseded = new ArrayList<>(before);
        superseded.removeAll(names(kernel.patches().stream().filter(LivePatch::enabled).toList()));
        for (String old : superseded) {
            unloadWhenFree(old);
        }
        long taint = kernel.support().taint();
        if (!TaintFlags.of(taint).isLivePatched()) {
            throw new PatchException(Outcome.KERNEL_REFUSED,
                    patchName + " is active but the kernel is not tainted K (live patched): taint is " + taint);
        }
        long t3 = ticker.nanoTime();
        return new ApplyReport(patchName, false, live.functionsByObject(), superseded, retries,
                millis(t1 - t0), millis(t2 - t1), millis(t3 - t2), taint);
    }

    /** Disables {@code patchName}, waits for the reverse transition, and unloads its module. */
    public void remove(String patchName, Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        Optional<LivePatch> patch = kernel.patch(patchName);
        if (patch.isEmpty()) {
            if (kernel.moduleLoaded(patchName)) {
                // A disabled (or superseded) patch whose module is still loaded: only the unload is left.
                unloadWhenFree(patchName);
                return;
            }
            throw new PatchException(Outcome.NOT_FOUND, "no live patch named " + patchName + " is loaded");
        }
        if (patch.get().enabled()) {
            kernel.setEnabled(patchName, false);
        }
        TransitionWaiter.Result wait = waiter.await(patchName, false, timeout, listener);
        if (!wait.finished()) {
            // Put it back the way it was rather than leave a half-unpatched kernel.
            kernel.setEnabled(patchName, true);
            TransitionWaiter.Result back = waiter.await(patchName, true, timeout, TransitionWaiter.Listener.NONE);
            String blockers = describe(wait.blockers());
            if (!back.finished()) {
                throw new PatchException(Outcome.REVERT_FAILED, "removing " + patchName + " timed out after "
                        + timeout.toSeconds() + " s (blocked by " + blockers + ") and re-enabling it did not finish either");
            }
            throw new PatchException(Outcome.TRANSITION_TIMEOUT, "removing " + patchName + " timed out after "
                    + timeout.toSeconds() + " s, blocked by " + blockers + "; the patch stays enabled");
        }
        unloadWhenFree(patchName);
    }

    private int load(Path module, String patchName, Deadline deadline)
            throws PatchException, IOException, InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        for (int retries = 0; ; retries++) {
            try {
                kernel.load(module);
                return retries;
            } catch (KernelCallException e) {
                if (e.errno() != KernelCallException.EBUSY || !deadline.allows(backoff)) {
                    throw new PatchException(Outcome.KERNEL_REFUSED, loadFailure(patchName, e), e);
                }
                deadline.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static String loadFailure(String patchName, KernelCallException e) {
        String why = switch (e.errno()) {
            case KernelCallException.EBUSY -> "another live patch stayed in transition until the timeout";
            case KernelCallException.EEXIST -> "a module of that name is already loaded";
            case KernelCallException.ENOEXEC -> "the kernel says it is not a valid module for it (bad format or vermagic)";
            case KernelCallException.EKEYREJECTED -> "its signature was rejected";
            case KernelCallException.EPERM -> "not permitted (signature required, lockdown, or modules disabled)";
            case KernelCallException.ENOENT -> "a function or object it patches does not exist in this kernel";
            case KernelCallException.EINVAL -> "the kernel rejected the live patch as invalid";
            default -> e.getMessage();
        };
        return "the kernel refused to load " + patchName + ": " + why + " (errno " + e.errno() + ")";
    }

    private void revertAfterTimeout(String patchName, Duration timeout, List<Blocker> blockers)
            throws PatchException, IOException, InterruptedException {
        String blocked = describe(blockers);
        kernel.setEnabled(patchName, false);
        TransitionWaiter.Result back = waiter.await(patchName, false, timeout, TransitionWaiter.Listener.NONE);
        if (!back.finished()) {
            throw new PatchException(Outcome.REVERT_FAILED, "applying " + patchName + " timed out after "
                    + timeout.toSeconds() + " s (blocked by " + blocked + ") and reversing it did not finish either; "
                    + "the patch is still in transition");
        }
        unloadWhenFree(patchName);
        throw new PatchException(Outcome.TRANSITION_TIMEOUT, "applying " + patchName + " timed out after "
                + timeout.toSeconds() + " s, blocked by " + blocked + "; reversed and unloaded, the kernel is unchanged");
    }

    private LivePatch verify(String patchName) throws PatchException, IOException {
        LivePatch live = kernel.patch(patchName).orElseThrow(() -> new PatchException(Outcome.KERNEL_REFUSED,
                patchName + " loaded but registered no live patch in /sys/kernel/livepatch"));
        if (!live.enabled() || live.inTransition()) {
            throw new PatchException(Outcome.KERNEL_REFUSED, patchName + " is not active after its transition (enabled="
                    + live.enabled() + ", transition=" + live.inTransition() + ")");
        }
        if (live.functionCount() == 0) {
            throw new PatchException(Outcome.KERNEL_REFUSED, patchName + " is active but shows no patched functions");
        }
        return live;
    }

    /** Unloads a module whose patch is disabled, waiting while the kernel still frees it (EAGAIN/EBUSY). */
    private void unloadWhenFree(String moduleName) throws PatchException, IOException, InterruptedException {
        Deadline deadline = Deadline.after(ticker, UNLOAD_PATIENCE);
        while (true) {
            try {
                kernel.unload(moduleName);
                return;
            } catch (KernelCallException e) {
                boolean busy = e.errno() == KernelCallException.EAGAIN || e.errno() == KernelCallException.EBUSY;
                if (e.errno() == KernelCallException.ENOENT) {
                    return;
                }
                if (!busy || !deadline.sleep(TransitionWaiter.POLL)) {
                    throw new PatchException(Outcome.KERNEL_REFUSED, "could not unload " + moduleName + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** "ksoftirqd/0[12], migration/0[15] and 3 more": short enough for one line. */
    public static String describe(List<Blocker> blockers) {
        if (blockers.isEmpty()) {
            return "no task that could be named";
        }
        String shown = blockers.stream().limit(8).map(Blocker::toString).collect(Collectors.joining(", "));
        return blockers.size() > 8 ? shown + " and " + (blockers.size() - 8) + " more" : shown;
    }

    private static Set<String> names(List<LivePatch> patches) {
        return patches.stream().map(LivePatch::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
