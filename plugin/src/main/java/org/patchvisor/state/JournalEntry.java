package org.patchvisor.state;

import java.time.Instant;
import java.util.Objects;
import org.patchvisor.model.KernelId;

/**
 * One journalled operation as the journal reads now: what was begun, by which process, and the last phase
 * it reached.
 *
 * @param module    sha256 of the module an APPLY loads (its copy in the store), empty for REMOVE
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
        Instant updatedAt,
        String module) {

    public JournalEntry {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(patchName, "patchName");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        module = module == null ? "" : module;
    }

    /** An entry that names no module (a REMOVE, or one written before modules were journalled). */
    public JournalEntry(long id, Operation operation, String patchName, KernelId kernel, Phase phase, long pid,
            Instant startedAt, Instant updatedAt) {
        this(id, operation, patchName, kernel, phase, pid, startedAt, updatedAt, "");
    }

    public boolean pending() {
        return !phase.terminal();
    }

    JournalEntry withPhase(Phase next, Instant at) {
        return new JournalEntry(id, operation, patchName, kernel, next, pid, startedAt, at, module);
    }
}
