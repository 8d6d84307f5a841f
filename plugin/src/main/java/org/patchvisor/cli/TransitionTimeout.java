package org.patchvisor.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --timeout}: the bound on one live-patch transition, for every command that starts or reverses one. */
final class TransitionTimeout {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long a transition may take: an apply that runs out is reversed, a removal reports "
                    + "it (default: ${DEFAULT-VALUE}).")
    Duration value;
}
