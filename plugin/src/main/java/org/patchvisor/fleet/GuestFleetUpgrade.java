package org.patchvisor.fleet;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Path;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedClient;
import org.patchvisor.feed.RevokedPatches;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.Outcome;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.rollout.FeedBundles;
import org.patchvisor.rollout.GuestJob;
import org.patchvisor.rollout.Plan;
import org.patchvisor.rollout.Report;
import org.patchvisor.rollout.Rollout;
import org.patchvisor.rollout.RolloutListener;
import org.patchvisor.rollout.RolloutOptions;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.state.GuestRecordStore;
import org.patchvisor.time.Ticker;

/**
 * {@code upgrade --guests}: every guest of every adapter here, through the rollout engine. The feed is asked once
 * per guest kernel and each bundle is downloaded once; each guest gets its module through its own channel and the
 * per-guest agent loads, waits, verifies or reverts inside it. A guest that carries a patch the feed revoked
 * ({@link org.patchvisor.feed.RevokedPatches}, the host's rule) has it removed first, even when the feed has nothing
 * else for its kernel; it then takes the newest good bundle like any other guest.
 */
public final class GuestFleetUpgrade {
    private static final Duration REVERT_ROOM = Duration.ofSeconds(30);
    private static final Duration MIN_TRANSITION = Duration.ofSeconds(1);

    private final GuestTargets targets;
    private final Feed feed;
    private final GuestPatcher patcher;
    private final Ticker ticker;
    private final Map<String, HypervisorAdapter> adapterByGuest = new HashMap<>();
    /** What each probed guest carries that the feed revoked, by guest key (probes run in parallel). */
    private final Map<String, List<RevokedPatches.InUse>> revokedByGuest = new ConcurrentHashMap<>();

    private final GuestRecorder recorder;

    /** @param ticker measures each guest's timeout */
    public GuestFleetUpgrade(GuestTargets targets, Feed feed, GuestPatcher patcher, Ticker ticker) {
        this(targets, feed, patcher, ticker, Optional.empty(), Clock.systemUTC());
    }

    /**
     * @param records where what each run learns of each guest is kept (its kernel, the patches in force there and
     *                their bundles' CVEs), for {@code cves} and {@code vex} to answer while the guest is away
     * @param clock   stamps those records
     */
    public GuestFleetUpgrade(GuestTargets targets, Feed feed, GuestPatcher patcher, Ticker ticker,
            Optional<GuestRecordStore> records, Clock clock) {
        this.targets = targets;
        this.feed = feed;
        this.patcher = patcher;
        this.ticker = ticker;
        this.recorder = new GuestRecorder(records, clock);
    }

    /** The plan alone: which guests, grouped by kernel, which bundle, canary and waves. Touches no guest. */
    public Plan plan(RolloutOptions options) throws IOException, InterruptedException {
        return rollout().plan(guests(), options);
    }

    /**
     * The plan for one guest alone, as the worker patches it. The guest is chosen by its adapter and id, not by
     * an {@code --only} pattern: a guest may be named {@code *} or {@code prod-?}, which as a glob would select
     * others too.
     */
    public Plan plan(RolloutOptions options, Guest only) throws IOException, InterruptedException {
        List<Guest> one = guests().stream().filter(g -> key(g).equals(key(only))).toList();
        return rollout().plan(one, options);
    }

    /**
     * Patches the plan's guests; {@code listener} hears each step as it happens. Unless it is a dry run, what the run
     * learned of each guest it reached is recorded afterwards.
     */
    public Report run(Plan plan, RolloutListener listener) throws InterruptedException, IOException {
        Report report = rollout().execute(plan, job -> {
            try (GuestChannel channel = adapterOf(job.guest()).channel(job.guest())) {
                GuestOutcome outcome = step(channel, job);
                try {
                    recorder.patched(key(job.guest()), outcome.state(), job.bundle(),
                            inForce(patcher.patches(channel)));
                } catch (GuestTimeoutException | IOException e) {
                    // What is in force is not known now: the record keeps what the probe saw.
                }
                return outcome;
            }
        }, listener);
        if (!plan.options().dryRun()) {
            FeedClient.VerifiedIndex index = feed.index();
            recorder.save(index.feedId(), index.index().serial());
        }
        return report;
    }

    /** One guest's share: its revoked patches out, then the bundle of its kernel in (if there is one). */
    private GuestOutcome step(GuestChannel channel, GuestJob job) throws IOException, InterruptedException {
        List<String> removed = removeRevoked(channel, job.guest(), job.timeout());
        if (job.module().isEmpty()) {
            return GuestOutcome.of(Outcome.REVOKED_REMOVED, "removed revoked " + String.join(", ", removed)
                    + "; the feed has nothing else for this kernel", "", Optional.of(job.kernel()), Duration.ZERO);
        }
        Path module = job.module().get();
        GuestOutcome outcome = patcher.apply(channel, module, ModuleFiles.read(module), transitionTimeout(job.timeout()));
        if (removed.isEmpty()) {
            return outcome;
        }
        // The guest had the good bundle already: what this run did to it was the removal.
        Outcome state = outcome.state() == Outcome.ALREADY_PATCHED ? Outcome.REVOKED_REMOVED : outcome.state();
        return GuestOutcome.of(state, "removed revoked " + String.join(", ", removed) + "; " + outcome.reason(),
                outcome.patch(), outcome.kernel(), outcome.elapsed());
    }

    /** The patches that are in force: enabled, their transition done (a failed step may leave one disabled). */
    private static List<String> inForce(List<LivePatch> patches) {
        return patches.stream().filter(p -> p.enabled() && !p.inTransition()).map(LivePatch::name).toList();
    }

    /** The keys ({@code adapter/id}) of the guests the last plan reached: those whose records a run updates. */
    public Set<String> reached() {
        return recorder.reached();
    }

    /** Removes the revoked patches the probe found in the guest; a failure to remove one fails the guest. */
    private List<String> removeRevoked(GuestChannel channel, Guest guest, Duration timeout)
            throws IOException, InterruptedException {
        List<String> removed = new ArrayList<>();
        for (RevokedPatches.InUse revoked : revokedByGuest.getOrDefault(key(guest), List.of())) {
            try {
                patcher.remove(channel, revoked.patch(), transitionTimeout(timeout));
                removed.add(revoked.patch() + " (" + revoked.revocation().reason() + ")");
            } catch (PatchException e) {
                if (e.outcome() != Outcome.NOT_FOUND) {
                    throw new IOException("revoked patch " + revoked.patch() + " could not be removed: "
                            + e.getMessage(), e);
                }
            } catch (GuestTimeoutException e) {
                throw new GuestUnreachableException(guest.name() + ": the guest agent did not answer while "
                        + revoked.patch() + " was removed: " + e.getMessage(), e);
            }
        }
        return removed;
    }

    /**
     * The transition timeout the guest's agent gets out of what is left of the per-guest budget: the rest is room
     * to reverse, unload and verify (half the budget, at most {@link #REVERT_ROOM}). Giving the agent the whole
     * budget would let the rollout's timer give up on a stuck guest just before its agent reverses it, and report
     * "timed out" for what is in fact a clean revert.
     */
    static Duration transitionTimeout(Duration left) {
        Duration half = left.dividedBy(2);
        Duration room = half.compareTo(REVERT_ROOM) < 0 ? half : REVERT_ROOM;
        Duration transition = left.minus(room);
        return transition.compareTo(MIN_TRANSITION) < 0 ? MIN_TRANSITION : transition;
    }

    private Rollout rollout() {
        FeedBundles bundles = new FeedBundles(feed);
        return new Rollout(guest -> {
            try (GuestChannel channel = adapterOf(guest).channel(guest)) {
                KernelId kernel = patcher.identify(channel);
                List<LivePatch> patches = patcher.patches(channel);
                List<String> loaded = patches.stream().map(LivePatch::name).toList();
                // A guest keeps no record of which file it loaded: its kernel's build-ids tell (RevokedPatches).
                Map<String, String> buildIds = new HashMap<>();
                for (String name : loaded) {
                    patcher.moduleBuildId(channel, name).ifPresent(id -> buildIds.put(name, id));
                }
                revokedByGuest.put(key(guest), feed.revokedInUse(kernel, loaded, buildIds, Map.of()));
                recorder.seen(key(guest), guest, kernel, inForce(patches));
                return kernel;
            } catch (GuestTimeoutException e) {
                throw new GuestUnreachableException(guest.name() + ": the guest agent did not answer: " + e.getMessage(), e);
            }
        }, bundles, bundles, ticker, guest -> !revokedByGuest.getOrDefault(key(guest), List.of()).isEmpty());
    }

    /** Guests of adapters that run their own kernels; container adapters are covered by the host's patch. */
    private List<Guest> guests() throws IOException {
        adapterByGuest.clear();
        List<Guest> guests = new ArrayList<>();
        for (GuestTargets.Target target : targets.all()) {
            if (!target.adapter().sharesHostKernel()) {
                adapterByGuest.put(key(target.guest()), target.adapter());
                guests.add(target.guest());
            }
        }
        return guests;
    }

    private HypervisorAdapter adapterOf(Guest guest) {
        return adapterByGuest.get(key(guest));
    }

    private static String key(Guest guest) {
        return GuestCves.key(guest);
    }
}
