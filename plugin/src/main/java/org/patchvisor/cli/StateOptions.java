package org.patchvisor.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options shared by every command that reads or writes the state directory. */
public final class StateOptions {
    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:PATCHVISOR_STATE_DIR:-/var/lib/patchvisor}",
            description = "State directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait for another patchvisor run to finish (default: ${DEFAULT-VALUE}).")
    Duration lockWait;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    public Path stateDir() {
        return stateDir;
    }

    public Duration lockWait() {
        return lockWait;
    }
}
