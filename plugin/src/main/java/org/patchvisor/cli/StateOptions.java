package org.patchvisor.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options shared by every command that reads or writes the state directory. Without {@code --state-dir} the
 * directory follows {@link StateDirectory}'s rule, resolved by
 * {@link PatchvisorCli#stateDir(StateOptions, java.io.PrintWriter)}.
 */
public final class StateOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default: $PATCHVISOR_STATE_DIR, else the config's state-dir, "
                    + "else /var/lib/patchvisor).")
    Path stateDir;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.OrZero.class,
            description = "How long to wait for another patchvisor run to finish; 0 does not wait "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration lockWait;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    /** The directory given on the command line, if any. */
    public Optional<Path> stateDirOption() {
        return Optional.ofNullable(stateDir);
    }

    public Duration lockWait() {
        return lockWait;
    }
}
