package org.patchvisor.rollout;

import org.patchvisor.spi.Guest;

/**
 * Hears a rollout as it goes, for progress output. Called from worker threads: implementations must be
 * thread-safe and quick (they run inside the worker's time).
 */
public interface RolloutListener {
    RolloutListener NONE = new RolloutListener() {
    };

    /** Before anything runs: how many guests the report will hold. */
    default void starting(Plan plan) {
    }

    default void waveStarted(Plan.Wave wave, int index, int count) {
    }

    default void guestStarted(Guest guest) {
    }

    /** A guest's row is final; {@code done} of {@code total} guests are now settled. */
    default void guestFinished(Report.Row row, int done, int total) {
    }

    default void halted(String reason) {
    }

    default void finished(Report report) {
    }
}
