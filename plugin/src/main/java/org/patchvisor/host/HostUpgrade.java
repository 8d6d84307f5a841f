package org.patchvisor.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.RevokedPatches;
import org.patchvisor.kernel.KernelPort;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.kernel.Preflight;
import org.patchvisor.kernel.TransitionWaiter;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;
import org.patchvisor.state.BundleOrigin;

/**
 * What {@code patchvisor upgrade} does to the host's own kernel: remove every loaded patch the feed revoked (each
 * removal journalled and forgotten, so the boot service does not load it again), then ask the signed feed for the
 * newest cumulative bundle this host's policy lets it take and the running kernel lacks, fetch it verified (cached
 * by hash, so once per kernel), make sure the file is the module the index announced, and apply it through the
 * journalled {@link HostPatcher} with the bundle's effective version. Any failure before the apply leaves the
 * kernel and the installed records untouched.
 */
public final class HostUpgrade {
    private final KernelPort kernel;
    private final HostPatcher patcher;
    private final Feed feed;

    public HostUpgrade(KernelPort kernel, HostPatcher patcher, Feed feed) {
        this.kernel = kernel;
        this.patcher = patcher;
        this.feed = feed;
    }

    /** How one run ended, when it did not fail. */
    public enum Status {
        APPLIED,
        UP_TO_DATE,
        /** The feed lists no bundle at all for this kernel. */
        NO_PATCHES,
        /** Revoked patches were removed and nothing took their place. */
        REVOKED_REMOVED
    }

    /**
     * @param loaded  live patches loaded before the run
     * @param removed revoked patches this run removed
     * @param bundle  the bundle applied (APPLIED) or the newest one available (UP_TO_DATE), if any
     * @param applied the apply's report (APPLIED only)
     */
    public record Result(Status status, KernelId kernel, List<String> loaded, List<RevokedPatches.InUse> removed,
            Optional<BundleEntry> bundle, Optional<HostPatcher.HostApplyResult> applied) {
        public Result {
            removed = List.copyOf(removed);
        }
    }

    /**
     * Decides what a run would do, reading only: the kernel's identity and loaded patches, and the verified feed
     * (nothing downloaded, no serial recorded when the feed was opened read-only). Needs no root; refuses only a
     * kernel without live-patch support, as the real run would.
     */
    public UpgradePlan plan() throws PatchException, IOException {
        Preflight.checkSupport(kernel.support());
        KernelId id = kernel.identify();
        List<String> loaded = kernel.patches().stream().map(LivePatch::name).toList();
        List<RevokedPatches.InUse> revoked = feed.revokedInUse(id, loaded, buildIds(loaded), recorded(id));
        List<String> staying = loaded.stream()
                .filter(name -> revoked.stream().noneMatch(r -> r.patch().equals(name))).toList();
        List<BundleEntry> available = feed.available(id);
        Optional<BundleEntry> update = available.isEmpty() ? Optional.empty() : feed.newestCumulative(id, staying);
        boolean cached = update.isPresent() && feed.isCached(update.get());
        return UpgradePlan.of(id, loaded, revoked, available, feed.heldBack(id), update, cached);
    }

    /** The build-id the kernel shows for each loaded patch module, where it shows one. */
    private Map<String, String> buildIds(List<String> loaded) throws IOException {
        Map<String, String> ids = new HashMap<>();
        for (String name : loaded) {
            kernel.moduleBuildId(name).ifPresent(id -> ids.put(name, id));
        }
        return ids;
    }

    /** The recorded module hash of each patch installed on this kernel: how a revoked build is told apart. */
    private Map<String, String> recorded(KernelId id) throws IOException {
        Map<String, String> hashes = new HashMap<>();
        patcher.store().installed(id).forEach(p -> hashes.put(p.patchName(), p.sha256()));
        return hashes;
    }

    /**
     * For a dry run: the preflight refusal the real run would meet, judged now by the same rules when the update's
     * module is already in the cache (its signature and release can be read without a download); empty when it
     * would be accepted, or when that cannot be known before the download.
     */
    public Optional<String> wouldRefuse(UpgradePlan plan) throws IOException {
        if (plan.update().isEmpty() || !plan.cached()) {
            return Optional.empty();
        }
        Optional<Path> module = feed.cachedFile(plan.update().get());
        if (module.isEmpty()) {
            return Optional.empty();
        }
        try {
            Preflight.checkModule(plan.update().get().id(), ModuleFiles.read(module.get()), plan.kernel(),
                    kernel.support());
            return Optional.empty();
        } catch (PatchException e) {
            return Optional.of(e.getMessage());
        }
    }

    public Result run(Duration timeout, TransitionWaiter.Listener listener)
            throws PatchException, IOException, InterruptedException {
        // Refuse a host that cannot take a patch before anything is downloaded.
        patcher.checkKernel();
        UpgradePlan plan = plan();
        KernelId id = plan.kernel();
        List<String> loaded = plan.loaded();
        // The replacement is downloaded and checked before anything is removed: a feed that fails now leaves the
        // kernel as it was, not without its patches.
        Optional<Path> module = Optional.empty();
        if (plan.update().isPresent()) {
            BundleEntry bundle = plan.update().get();
            module = Optional.of(feed.fetch(bundle, id));
            ModuleInfo info = ModuleFiles.read(module.get());
            if (!info.name().equals(bundle.module())) {
                throw new PatchException(Outcome.REFUSED, "bundle " + bundle.id() + " announces module "
                        + bundle.module() + " but its file is module " + info.name() + "; not applied");
            }
        }
        for (RevokedPatches.InUse revoked : plan.revoked()) {
            patcher.remove(Optional.of(revoked.patch()), timeout, listener);
        }
        if (plan.status() == Status.REVOKED_REMOVED) {
            return new Result(Status.REVOKED_REMOVED, id, loaded, plan.revoked(), Optional.empty(), Optional.empty());
        }
        if (plan.status() == Status.NO_PATCHES) {
            return new Result(Status.NO_PATCHES, id, loaded, List.of(), Optional.empty(), Optional.empty());
        }
        if (plan.status() == Status.UP_TO_DATE) {
            Optional<BundleEntry> current = plan.available().stream().filter(b -> loaded.contains(b.module()))
                    .max(Comparator.comparingInt(BundleEntry::cumulativeLevel));
            return new Result(Status.UP_TO_DATE, id, loaded, List.of(), current, Optional.empty());
        }
        BundleEntry bundle = plan.update().orElseThrow();
        String source = feed.repositoryOf(bundle).map(repo -> repo + " " + bundle.id()).orElse(bundle.id());
        String effective = bundle.effectiveVersion() == null ? "" : bundle.effectiveVersion();
        BundleOrigin origin = new BundleOrigin(bundle.id(), feed.index().feedId(), feed.index().index().serial(),
                bundle.cumulativeLevel(), bundle.cves());
        HostPatcher.HostApplyResult result = patcher.apply(module.orElseThrow(), source, effective,
                Optional.of(origin), timeout, listener);
        return new Result(Status.APPLIED, id, loaded, plan.revoked(), Optional.of(bundle), Optional.of(result));
    }
}
