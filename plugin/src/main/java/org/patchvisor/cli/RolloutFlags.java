package org.patchvisor.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.rollout.RolloutOptions;
import picocli.CommandLine.Option;

/** The fleet options of {@code upgrade --guests}: canary, waves, parallelism, halting, selection, dry run. */
public final class RolloutFlags {
    @Option(names = "--canary", paramLabel = "N", defaultValue = "1",
            description = "Guests patched first, alone; a failed canary halts the rollout (default: ${DEFAULT-VALUE}).")
    int canary;

    @Option(names = "--max-parallel", paramLabel = "N", defaultValue = "4",
            description = "Guests patched at once (default: ${DEFAULT-VALUE}).")
    int maxParallel;

    @Option(names = "--max-failures", paramLabel = "N", defaultValue = "1",
            description = "Halt after this many failed guests; 0 never halts (default: ${DEFAULT-VALUE}).")
    int maxFailures;

    @Option(names = "--guest-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "Bound on one guest: transfer, load, transition, verify (default: ${DEFAULT-VALUE}).")
    Duration guestTimeout;

    @Option(names = "--only", paramLabel = "NAME", description = "Patch only these guests (names or globs; repeatable).")
    List<String> only = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "NAME", description = "Never patch these guests (names or globs; repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print what would be done and change nothing: for this host the bundle, download, superseded "
            + "and held-back patches; with --guests the kernel groups, bundles, canary and waves.")
    boolean dryRun;

    RolloutOptions options() {
        return new RolloutOptions(canary, maxParallel, maxFailures, guestTimeout, only, exclude, dryRun);
    }
}
