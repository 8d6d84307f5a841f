package org.patchvisor.detect;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The record of one strategy's run, reported whether or not it found anything. */
public record Attempt(String strategy, String description, int priority, Outcome outcome, String reason,
                      List<Evidence> evidence) {

    /** How a strategy's run ended. */
    public enum Outcome {
        /** It found at least one role. */
        APPLIED,
        /** It looked and found nothing. */
        NOT_APPLIED,
        /** Its precondition did not hold, so it did not look. */
        SKIPPED,
        /** Reading what it needed failed. */
        FAILED;

        public String displayName() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    public Attempt {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        evidence = List.copyOf(evidence);
    }
}
