package org.patchvisor.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.Outcome;

/**
 * The outcome of a rollout: one row per guest the adapters listed (every guest exactly once), totals per state
 * (every one of {@link Outcome#ROLLOUT}, in declaration order), whether and why it halted, and how long it took.
 * Serialises to the {@code --json} report as is, each state as its word.
 */
public record Report(
        boolean dryRun,
        boolean halted,
        @JsonInclude(JsonInclude.Include.NON_NULL) String haltReason,
        long wallMs,
        @JsonSerialize(keyUsing = OutcomeJson.Key.class) Map<Outcome, Integer> totals,
        List<Row> guests) {

    public Report {
        Objects.requireNonNull(totals, "totals");
        guests = List.copyOf(guests);
        Map<Outcome, Integer> ordered = new EnumMap<>(Outcome.class);
        ordered.putAll(totals);
        totals = Collections.unmodifiableMap(ordered);
    }

    static Report of(boolean dryRun, String haltReason, long wallMs, List<Row> rows) {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome state : Outcome.ROLLOUT) {
            counts.put(state, 0);
        }
        for (Row row : rows) {
            counts.merge(row.state(), 1, Integer::sum);
        }
        return new Report(dryRun, haltReason != null, haltReason, wallMs, counts, rows);
    }

    public int count(Outcome state) {
        return totals.getOrDefault(state, 0);
    }

    /** One line: "12 guest(s): 9 applied, 1 no-patch, 2 skipped in 4321 ms". */
    public String summary() {
        StringBuilder line = new StringBuilder().append(guests.size()).append(" guest(s):");
        String sep = " ";
        for (Map.Entry<Outcome, Integer> e : totals.entrySet()) {
            if (e.getValue() > 0) {
                line.append(sep).append(e.getValue()).append(' ').append(e.getKey().label());
                sep = ", ";
            }
        }
        line.append(" in ").append(wallMs).append(" ms");
        if (halted) {
            line.append("; halted: ").append(haltReason);
        }
        return line.toString();
    }

    /**
     * One guest's line of the report.
     *
     * @param name   the guest's name
     * @param kernel the kernel release it reported, or null when it was not asked (skipped, unreachable)
     * @param bundle the bundle chosen for its kernel, or null when there was none
     * @param state  how it ended
     * @param reason why, in words (the guest path's reason, an error, the halt); null when there is nothing to add
     * @param ms     time spent on this guest's step; 0 when it never ran
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(String name, String kernel, String bundle, @JsonSerialize(using = OutcomeJson.Word.class) Outcome state,
            String reason, long ms) {
        /** Rows exist to be shown (text, progress, JSON): the guest's name and words are printable from here on. */
        public Row {
            name = GuestText.printable(Objects.requireNonNull(name, "name"));
            kernel = GuestText.printable(kernel);
            if (!Outcome.ROLLOUT.contains(Objects.requireNonNull(state, "state"))) {
                throw new IllegalArgumentException("a rollout does not end a guest " + state.label());
            }
            reason = GuestText.printable(reason);
        }
    }
}
