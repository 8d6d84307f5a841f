package org.patchvisor.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.patchvisor.guest.GuestText;
import org.patchvisor.hooks.EventSpool;
import org.patchvisor.hooks.GuestEvent;
import org.patchvisor.model.Outcome;

/**
 * The worker's loop body: takes the queued events one guest at a time (however many starts a guest had, it is
 * one job), hands the guest to the {@link GuestHandler}, and removes exactly the events it read before the job
 * only when the guest ended in a final state. A guest that is not done yet (its agent did not answer in time) is
 * retried after a back-off that doubles with each failed try up to a cap, so guests that will never answer (no
 * agent channel, no qemu-ga installed) do not hold up the others; a new start of the guest (a newer event) ends
 * its back-off. A guest still unreachable once its oldest event is older than the give-up age has its events
 * dropped with a final "gave-up"; failures and errors (a feed or libvirt outage) are never given up on. Killing the
 * worker at any point leaves every unfinished guest's events on disk. The hook only queues; this is the engine
 * that drains.
 */
public final class SpoolDrainer {
    /** Patches one guest; blocking, bounded by the handler's own agent wait and per-guest timeout. */
    public interface GuestHandler {
        Result handle(String guest) throws IOException, InterruptedException;
    }

    /** How one guest's job ended: its outcome, whether that is final, and why. */
    public record Result(Outcome state, boolean isFinal, String reason) {
        /** The reason quotes the guest and its agent (and errors naming it): printable before the worker logs it. */
        public Result {
            Objects.requireNonNull(state, "state");
            reason = GuestText.printable(reason == null ? "" : reason);
        }
    }

    /** One guest handled in a pass, with the number of spooled events its job covered. */
    public record Handled(String guest, int events, Result result) {
    }

    private final EventSpool spool;
    private final GuestHandler handler;
    private final Clock clock;
    private final Duration retryAfter;
    private final Duration maxBackoff;
    private final Duration giveUpAfter;
    private final Map<String, Instant> notBefore = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    /** Per guest, when its newest event had been written at its last try: a later one is a new start. */
    private final Map<String, Instant> seenAtLastTry = new HashMap<>();

    /**
     * @param retryAfter  the first back-off after a try that did not finish the guest
     * @param maxBackoff  the longest back-off
     * @param giveUpAfter the age of a guest's oldest event after which a try that did not finish drops its events
     */
    public SpoolDrainer(EventSpool spool, GuestHandler handler, Clock clock, Duration retryAfter, Duration maxBackoff,
                        Duration giveUpAfter) {
        this.spool = spool;
        this.handler = handler;
        this.clock = clock;
        this.retryAfter = retryAfter;
        this.maxBackoff = maxBackoff.compareTo(retryAfter) < 0 ? retryAfter : maxBackoff;
        this.giveUpAfter = giveUpAfter;
    }

    /** One pass, reporting nothing as it goes; see {@link #pass(Consumer)}. */
    public List<Handled> pass() throws IOException, InterruptedException {
        return pass(h -> { });
    }

    /**
     * One pass over the spool: every queued guest not backing off is handled once, in order of its oldest event.
     * An error handling one guest is reported as a non-final result for it and the pass goes on. Each guest is
     * reported to {@code onEach} as soon as its job ends and before its events leave the spool, so that whoever
     * sees the spool empty of a guest can already read how it ended (a kill in between repeats the job, which
     * then finds the patch in place).
     */
    public List<Handled> pass(Consumer<Handled> onEach) throws IOException, InterruptedException {
        List<Handled> handled = new ArrayList<>();
        Map<String, List<GuestEvent>> queued = spool.byGuest();
        // Guests whose events went away (handled, removed by hand) start afresh if queued again.
        notBefore.keySet().retainAll(queued.keySet());
        failures.keySet().retainAll(queued.keySet());
        seenAtLastTry.keySet().retainAll(queued.keySet());
        for (Map.Entry<String, List<GuestEvent>> entry : queued.entrySet()) {
            String guest = entry.getKey();
            Instant newest = written(entry.getValue(), true);
            Instant seen = seenAtLastTry.get(guest);
            if (seen != null && newest.isAfter(seen)) {
                notBefore.remove(guest);     // started again since the last try: maybe with an agent now
                failures.remove(guest);
            }
            Instant wait = notBefore.get(guest);
            if (wait != null && clock.instant().isBefore(wait)) {
                continue;
            }
            seenAtLastTry.put(guest, newest);
            Result result;
            try {
                result = handler.handle(guest);
            } catch (IOException | RuntimeException e) {
                String message = e.getMessage();
                result = new Result(Outcome.ERROR, false, message == null || message.isBlank()
                        ? e.getClass().getSimpleName() : message);
            }
            if (!result.isFinal() && result.state() == Outcome.UNREACHABLE) {
                Instant since = written(entry.getValue(), false);
                if (!clock.instant().isBefore(since.plus(giveUpAfter))) {
                    result = new Result(Outcome.GAVE_UP, true, result.state().label() + (result.reason().isBlank() ? "" : ": "
                            + result.reason()) + "; queued since " + since + ", given up after " + giveUpAfter);
                }
            }
            Handled done = new Handled(guest, entry.getValue().size(), result);
            onEach.accept(done);
            if (result.isFinal()) {
                spool.remove(entry.getValue());
                notBefore.remove(guest);
                failures.remove(guest);
                seenAtLastTry.remove(guest);
            } else {
                int failed = failures.merge(guest, 1, Integer::sum);
                notBefore.put(guest, clock.instant().plus(backoff(failed)));
            }
            handled.add(done);
        }
        return handled;
    }

    /** retryAfter, doubled for each further failed try, at most maxBackoff. */
    Duration backoff(int failedTries) {
        Duration wait = retryAfter;
        for (int i = 1; i < failedTries && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    /** When the guest's newest (or oldest) queued event was written: the hook writes each file once. */
    private Instant written(List<GuestEvent> events, boolean newest) throws IOException {
        Instant found = null;
        for (GuestEvent e : events) {
            try {
                Instant at = Files.getLastModifiedTime(e.file()).toInstant();
                found = found == null || (newest ? at.isAfter(found) : at.isBefore(found)) ? at : found;
            } catch (NoSuchFileException gone) {
                // removed meanwhile (an administrator); the others decide
            }
        }
        return found != null ? found : newest ? Instant.MIN : clock.instant();
    }

    /** True when guests are queued that the next pass would handle now (none is backing off). */
    public boolean pendingNow() throws IOException {
        Instant now = clock.instant();
        return spool.byGuest().keySet().stream().anyMatch(g -> !notBefore.containsKey(g) || !now.isBefore(notBefore.get(g)));
    }
}
