package org.patchvisor.fleet;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.Outcome;
import org.patchvisor.time.Deadline;
import org.patchvisor.state.GuestRecordStore;
import org.patchvisor.time.Ticker;
import org.patchvisor.rollout.Plan;
import org.patchvisor.rollout.Report;
import org.patchvisor.rollout.RolloutListener;
import org.patchvisor.rollout.RolloutOptions;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;

/**
 * What the worker does with one queued guest: find it, wait (bounded) until its agent answers, then patch it
 * through the same rollout engine as {@code upgrade --guests}, restricted to that guest. Final states remove the
 * guest's events; an agent that never answered, a timeout or an error leave them for a later retry. A guest the
 * worker's {@code --only}/{@code --exclude} do not select is dropped from the queue untouched.
 */
public final class GuestWorkerHandler implements SpoolDrainer.GuestHandler {
    private static final Duration PING = Duration.ofSeconds(3);
    /** The rollout ends that retrying later may change: nobody answered, or the try itself failed. */
    private static final Set<Outcome> RETRIED = EnumSet.of(Outcome.UNREACHABLE, Outcome.TIMED_OUT, Outcome.FAILED,
            Outcome.HALTED, Outcome.PLANNED);

    /** Opens the adapters for one job; the handler closes them. */
    public interface TargetsOpener {
        GuestTargets open() throws IOException;
    }

    private final TargetsOpener opener;
    private final Supplier<Feed> feed;
    private final Ticker ticker;
    private final Duration agentWait;
    private final Duration poll;
    private final Duration guestTimeout;
    private final GuestPatcher patcher;
    private final RolloutOptions selection;
    private Optional<GuestRecordStore> records = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public GuestWorkerHandler(TargetsOpener opener, Supplier<Feed> feed, Ticker ticker, Duration agentWait, Duration poll,
                       Duration guestTimeout, GuestPatcher patcher, RolloutOptions selection) {
        this.opener = opener;
        this.feed = feed;
        this.ticker = ticker;
        this.agentWait = agentWait;
        this.poll = poll;
        this.guestTimeout = guestTimeout;
        this.patcher = patcher;
        this.selection = selection;
    }

    /** Keeps what each patched guest carries in {@code store} (stamped on {@code clock}), as upgrade --guests does. */
    public GuestWorkerHandler recordingIn(GuestRecordStore store, Clock clock) {
        this.records = Optional.of(store);
        this.clock = clock;
        return this;
    }

    @Override
    public SpoolDrainer.Result handle(String name) throws IOException, InterruptedException {
        if (!selection.selects(name)) {
            return new SpoolDrainer.Result(Outcome.SKIPPED, true, "not selected by --only/--exclude");
        }
        try (GuestTargets targets = opener.open()) {
            GuestTargets.Target target;
            try {
                target = targets.find(name);
            } catch (PatchException e) {
                return new SpoolDrainer.Result(Outcome.GONE, true, e.getMessage());
            }
            if (target.adapter().sharesHostKernel()) {
                return new SpoolDrainer.Result(Outcome.SKIPPED, true, "shares the host kernel: the host's patch covers it");
            }
            if (!target.guest().running()) {
                return new SpoolDrainer.Result(Outcome.SKIPPED, true, "not running (" + target.guest().state().label() + ")");
            }
            Optional<String> silent = waitForAgent(target.adapter(), target.guest(), ticker, agentWait, poll);
            if (silent.isPresent()) {
                return new SpoolDrainer.Result(Outcome.UNREACHABLE, false, silent.get());
            }
            GuestFleetUpgrade fleet = new GuestFleetUpgrade(targets, feed.get(), patcher, ticker, records, clock);
            Plan plan = fleet.plan(new RolloutOptions(0, 1, 0, guestTimeout, List.of(), List.of(), false),
                    target.guest());
            Report report = fleet.run(plan, RolloutListener.NONE);
            if (report.guests().size() != 1) {
                return new SpoolDrainer.Result(Outcome.GONE, true, "the rollout did not list " + name);
            }
            Report.Row row = report.guests().get(0);
            return new SpoolDrainer.Result(row.state(), isFinal(row.state()),
                    row.reason() == null ? "" : row.reason());
        }
    }

    /**
     * Empty once the agent answers; otherwise why it is not reachable yet. A guest that has just started has no
     * agent yet, and the adapter refuses to open a channel to a silent agent: opening is retried, not only the ping.
     */
    static Optional<String> waitForAgent(HypervisorAdapter adapter, Guest guest, Ticker ticker, Duration agentWait,
                                         Duration poll) throws IOException, InterruptedException {
        Deadline deadline = Deadline.after(ticker, agentWait);
        while (true) {
            String why;
            try (GuestChannel channel = adapter.channel(guest)) {
                if (channel.ping(PING)) {
                    return Optional.empty();
                }
                why = "the guest agent did not answer within " + agentWait.toSeconds() + " s";
            } catch (GuestUnreachableException e) {
                why = e.getMessage() + " (waited " + agentWait.toSeconds() + " s)";
            }
            if (!deadline.sleep(poll)) {
                return Optional.of(why);
            }
        }
    }

    /** The guest's state will not change by retrying now: patched, nothing to patch, refused, or reverted. */
    static boolean isFinal(Outcome state) {
        return !RETRIED.contains(state);
    }
}
