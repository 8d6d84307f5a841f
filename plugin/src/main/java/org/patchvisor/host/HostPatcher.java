package org.patchvisor.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.FileFeedStateStore;
import org.patchvisor.feed.Revocation;
import org.patchvisor.kernel.ApplyReport;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.kernel.KernelSupport;
import org.patchvisor.kernel.PatchEngine;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.kernel.Preflight;
import org.patchvisor.model.Outcome;
import org.patchvisor.time.Ticker;
import org.patchvisor.kernel.TransitionWaiter;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.state.BundleOrigin;
import org.patchvisor.state.InstalledPatch;
import org.patchvisor.state.Journal;
import org.patchvisor.state.JournalEntry;
import org.patchvisor.state.Operation;
import org.patchvisor.state.Phase;
import org.patchvisor.state.ReconcileDecision;
import org.patchvisor.state.Reconciler;
import org.patchvisor.state.RunLock;
import org.patchvisor.io.Sha256;
import org.patchvisor.state.StateLockedException;
import org.patchvisor.state.StateStore;

/**
 * The host's own kernel, patched with bookkeeping: every change runs under the state lock, is journalled
 * before it is made, and is recorded for the boot service once it took. A run killed half-way is settled by
 * the next one ({@link #reconcile}) before it does anything else.
 */
public final class HostPatcher {
    private final KernelPort kernel;
    private final PatchEngine engine;
    private final TransitionWaiter waiter;
    private final StateStore store;
    private final Journal journal;
    private final Path stateDir;
    private final Duration lockWait;
    private final Clock clock;
    private final Ticker ticker;
    private final boolean root;

    public HostPatcher(KernelPort kernel, Ticker ticker, Clock clock, Path stateDir, Duration lockWait, boolean root) {
        this.kernel = kernel;
        this.engine = new PatchEngine(kernel, ticker);
        this.waiter = new TransitionWaiter(kernel, ticker);
        this.store = new StateStore(stateDir);
        this.journal = new Journal(stateDir, clock);
        this.stateDir = stateDir;
        this.lockWait = lockWait;
        this.clock = clock;
        this.ticker = ticker;
        this.root = root;
    }

    public StateStore store() {
        return store;
    }

    /** The checks every change of the kernel needs (root, live-patch support), for callers that want them early. */
    public void checkKernel() throws PatchException, IOException {
        Preflight.checkKernel(root, kernel.support());
    }

    /** Applies one module file after every preflight check, and records it as installed for this kernel. */
    public HostApplyResult apply(Path file, String source, Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        return apply(file, source, "", timeout, listener);
    }

    /**
     * As {@link #apply(Path, String, Duration, TransitionWaiter.Listener)}, recording the kernel release the patch
     * brings the kernel up to ({@code effectiveVersion}, from the feed; empty when unknown) for {@code uname -r}.
     */
    public HostApplyResult apply(Path file, String source, String effectiveVersion, Duration timeout,
            TransitionWaiter.Listener listener) throws PatchException, IOException, InterruptedException {
        return apply(file, source, effectiveVersion, Optional.empty(), timeout, listener);
    }

    /** As above, recording the feed bundle the module came from ({@code origin}: its CVEs, level, feed, serial). */
    public HostApplyResult apply(Path file, String source, String effectiveVersion, Optional<BundleOrigin> origin,
            Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        KernelSupport support = kernel.support();
        Preflight.checkKernel(root, support);
        KernelId id = kernel.identify();
        ModuleInfo info = ModuleFiles.read(file);
        Preflight.checkModule(file.toString(), info, id, support);
        try (RunLock lock = lock("apply")) {
            List<String> settled = reconcile(id, timeout);
            // Load the store's copy: the bytes recorded are exactly the bytes loaded, and a killed run's
            // successor still has the module to record or reload.
            Path staged = store.stage(file);
            ApplyReport report = applyJournalled(id, info, staged, source, effectiveVersion, origin, timeout,
                    listener);
            return new HostApplyResult(report, settled);
        }
    }

    /**
     * Settles, under the run lock, what a stopped or killed run left behind (see {@link #reconcile}), for a caller
     * that reads the kernel before it changes anything: a patch left mid-transition must not pass for one in force.
     * Returns one line per operation settled.
     */
    public List<String> settleInterrupted(Duration timeout) throws PatchException, IOException, InterruptedException {
        Preflight.checkKernel(root, kernel.support());
        // Nothing pending is the usual case: no lock then, so a run that finds nothing to do never waits on another.
        if (journal.pending().isEmpty()) {
            return List.of();
        }
        KernelId id = kernel.identify();
        try (RunLock lock = lock("settle")) {
            return reconcile(id, timeout);
        }
    }

    /** Removes one patch (or, with {@code name} empty, every patch, newest first). Returns the names removed. */
    public List<String> remove(Optional<String> name, Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        Preflight.checkKernel(root, kernel.support());
        KernelId id = kernel.identify();
        try (RunLock lock = lock("remove")) {
            reconcile(id, timeout);
            List<String> names = new ArrayList<>();
            if (name.isPresent()) {
                names.add(name.get());
            } else {
                kernel.patches().forEach(p -> names.add(0, p.name()));
            }
            for (String patch : names) {
                long op = journal.begin(Operation.REMOVE, patch, id);
                try {
                    engine.remove(patch, timeout, listener);
                } catch (PatchException e) {
                    journal.phase(op, Phase.FAILED);
                    throw e;
                }
                store.recordRemoved(id, patch);
                journal.phase(op, Phase.COMMITTED);
            }
            return names;
        }
    }

    /**
     * Loads, in order, every patch recorded as installed for the running kernel (the boot service). A record whose
     * module the feed revoked (as this host last learned, from {@code <state-dir>/feed/state.json}; no network at
     * boot) is not loaded but forgotten, and said so: a revoked patch never comes back with a reboot.
     */
    public LoadRun loadInstalled(Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        KernelSupport support = kernel.support();
        Preflight.checkKernel(root, support);
        KernelId id = kernel.identify();
        try (RunLock lock = lock("load")) {
            reconcile(id, timeout);
            List<LoadResult> results = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            Map<String, Revocation> revoked = knownRevocations(skipped);
            for (InstalledPatch patch : store.installed(id)) {
                Revocation revocation = revoked.get(patch.sha256());
                if (revocation != null) {
                    store.recordRemoved(id, patch.patchName());
                    skipped.add(patch.patchName() + " not loaded and forgotten: bundle " + revocation.bundle()
                            + " was revoked (" + revocation.reason() + ")");
                    continue;
                }
                Path module = store.modulePath(patch);
                ModuleInfo info = ModuleFiles.read(module);
                Preflight.checkModule(module.toString(), info, id, support);
                ApplyReport report = applyJournalled(id, info, module, patch.source(), patch.effectiveVersion(),
                        Optional.ofNullable(patch.origin()), timeout, listener);
                results.add(new LoadResult(patch, report));
            }
            return new LoadRun(results, skipped);
        }
    }

    /**
     * The revocations this host learned from the feed. Unreadable, they do not stop the boot reload (a broken file
     * must not leave the host unpatched): every record is loaded, and the note says why none was checked.
     */
    private Map<String, Revocation> knownRevocations(List<String> notes) {
        try {
            return new FileFeedStateStore(stateDir).load().revoked();
        } catch (IOException e) {
            notes.add("revocations not checked: " + e.getMessage());
            return Map.of();
        }
    }

    private ApplyReport applyJournalled(KernelId id, ModuleInfo info, Path staged, String source,
            String effectiveVersion, Optional<BundleOrigin> origin, Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        long op = journal.begin(Operation.APPLY, info.name(), id, Sha256.of(staged));
        ApplyReport report;
        try {
            report = engine.apply(staged, info.name(), timeout, listener);
        } catch (PatchException e) {
            journal.phase(op, e.outcome() == Outcome.TRANSITION_TIMEOUT ? Phase.REVERTED : Phase.FAILED);
            throw e;
        }
        store.recordInstalled(id, installed(info, staged, source, effectiveVersion, origin, report.superseded()),
                staged);
        journal.phase(op, Phase.COMMITTED);
        return report;
    }

    private InstalledPatch installed(ModuleInfo info, Path staged, String source, List<String> superseded)
            throws IOException {
        return installed(info, staged, source, "", Optional.empty(), superseded);
    }

    private InstalledPatch installed(ModuleInfo info, Path staged, String source, String effectiveVersion,
            Optional<BundleOrigin> origin, List<String> superseded) throws IOException {
        return new InstalledPatch(info.name(), info.name(), Sha256.of(staged), java.nio.file.Files.size(staged),
                clock.instant(), source, superseded, !superseded.isEmpty(), effectiveVersion, origin.orElse(null));
    }

    /**
     * Settles operations a killed run left behind, against what the kernel shows now. Returns one line per
     * operation settled, for the caller to show.
     */
    List<String> reconcile(KernelId id, Duration timeout) throws PatchException, IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        for (JournalEntry entry : journal.pending()) {
            Optional<LivePatch> live = kernel.patch(entry.patchName());
            ReconcileDecision decision = Reconciler.decide(entry, id, live, kernel.moduleLoaded(entry.patchName()));
            lines.add("settled an interrupted " + entry.operation().name().toLowerCase() + " of " + entry.patchName()
                    + " (pid " + entry.pid() + "): " + decision.explanation());
            settle(entry, decision, id, timeout);
            journal.phase(entry.id(), Phase.RECONCILED);
        }
        return lines;
    }

    private void settle(JournalEntry entry, ReconcileDecision decision, KernelId id, Duration timeout)
            throws PatchException, IOException, InterruptedException {
        String name = entry.patchName();
        boolean applying = entry.operation() == Operation.APPLY;
        switch (decision.action()) {
            case COMMIT -> commit(entry, id);
            case FINISH_OR_REVERT -> {
                Optional<LivePatch> live = kernel.patch(name);
                if (applying && live.isPresent() && live.get().enabled()
                        && waiter.await(name, true, timeout, TransitionWaiter.Listener.NONE).finished()) {
                    commit(entry, id);
                } else {
                    // Reverse what cannot finish; an interrupted removal is completed (or put back if it is stuck).
                    engine.remove(name, timeout, TransitionWaiter.Listener.NONE);
                    if (!applying) {
                        store.recordRemoved(id, name);
                    }
                }
            }
            case UNLOAD -> {
                engine.remove(name, timeout, TransitionWaiter.Listener.NONE);
                if (!applying) {
                    store.recordRemoved(id, name);
                }
            }
            case FORGET -> { }
        }
    }

    /** Records what an interrupted run finished in the kernel but not on disk. */
    private void commit(JournalEntry entry, KernelId id) throws IOException {
        if (entry.operation() == Operation.REMOVE) {
            store.recordRemoved(id, entry.patchName());
            return;
        }
        Path module = store.stagedModule(entry.module());
        ModuleInfo info = ModuleFiles.read(module);
        store.recordInstalled(id, installed(info, module, "recovered after an interrupted apply", List.of()), module);
    }

    private RunLock lock(String operation) throws PatchException, IOException {
        try {
            return RunLock.acquire(stateDir, operation, lockWait, clock, ticker);
        } catch (StateLockedException e) {
            throw new PatchException(Outcome.LOCKED, e.getMessage(), e);
        }
    }

    /** One apply, plus what the run settled first from an earlier interrupted run. */
    public record HostApplyResult(ApplyReport report, List<String> reconciled) {
    }

    /** One reload at boot. */
    public record LoadResult(InstalledPatch patch, ApplyReport report) {
    }

    /** What the boot reload did: the patches loaded, and each record it left out, in words. */
    public record LoadRun(List<LoadResult> loaded, List<String> skipped) {
        public LoadRun {
            loaded = List.copyOf(loaded);
            skipped = List.copyOf(skipped);
        }
    }
}
