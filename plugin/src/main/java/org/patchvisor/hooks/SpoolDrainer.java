package org.patchvisor.hooks;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker's loop body: takes the queued events one guest at a time (however many starts a guest had, it is
 * one job), hands the guest to the {@link GuestHandler}, and removes exactly the events it read before the job
 * only when the guest ended in a final state. A guest that is not done yet (its agent did not answer in time) is
 * retried after a back-off; killing the worker at any point leaves every unfinished guest's events on disk.
 */
public final class SpoolDrainer {
    /** Patches one guest; blocking, bounded by the handler's own agent wait and per-guest timeout. */
    public interface GuestHandler {
        Result handle(String guest) throws IOException, InterruptedException;
    }

    /** How one guest's job ended: a rollout state word, whether that is final, and why. */
    public record Result(String state, boolean isFinal, String reason) {
    }

    /** One guest handled in a pass, with the number of spooled events its job covered. */
    public record Handled(String guest, int events, Result result) {
    }

    private final EventSpool spool;
    private final GuestHandler handler;
    private final Clock clock;
    private final Duration retryAfter;
    private final Map<String, Instant> notBefore = new HashMap<>();

    public SpoolDrainer(EventSpool spool, GuestHandler handler, Clock clock, Duration retryAfter) {
        this.spool = spool;
        this.handler = handler;
        this.clock = clock;
        this.retryAfter = retryAfter;
    }

    /**
     * One pass over the spool: every queued guest not backing off is handled once, in order of its oldest event.
     * An error handling one guest is reported as a non-final result for it and the pass goes on.
     */
    public List<Handled> pass() throws IOException, InterruptedException {
        List<Handled> handled = new ArrayList<>();
        for (Map.Entry<String, List<GuestEvent>> entry : spool.byGuest().entrySet()) {
            String guest = entry.getKey();
            Instant wait = notBefore.get(guest);
            if (wait != null && clock.instant().isBefore(wait)) {
                continue;
            }
            Result result;
            try {
                result = handler.handle(guest);
            } catch (IOException | RuntimeException e) {
                result = new Result("error", false, String.valueOf(e.getMessage()));
            }
            if (result.isFinal()) {
                spool.remove(entry.getValue());
                notBefore.remove(guest);
            } else {
                notBefore.put(guest, clock.instant().plus(retryAfter));
            }
            handled.add(new Handled(guest, entry.getValue().size(), result));
        }
        return handled;
    }

    /** True when guests are queued that the next pass would handle now (none is backing off). */
    public boolean pendingNow() throws IOException {
        Instant now = clock.instant();
        return spool.byGuest().keySet().stream().anyMatch(g -> !notBefore.containsKey(g) || !now.isBefore(notBefore.get(g)));
    }
}
