package org.patchvisor.state;

import java.time.Instant;
import java.util.Objects;
import org.patchvisor.model.KernelId;

/**
 * One journalled operation as the journal reads now: what was begun, by which process, and the last phase
 * it reached.
 *
 * @param pid       the process that began the operation
 * @param startedAt when it was begun
 * @param updatedAt when its last phase was written
 */
public record JournalEntry(
        long id,
        Operation operation,
        String patchName,
        KernelId kernel,
        Phase phase,
        long pid,
        Instant startedAt,
        Instant updatedAt) {

    public JournalEntry {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(patchName, "patchName");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public boolean pending() {
        return !phase.terminal();
    }

    JournalEntry withPhase(Phase next, Instant at) {
        return new JournalEntry(id, operation, patchName, kernel, next, pid, startedAt, at);
    }
}
