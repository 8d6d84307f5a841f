package org.patchvisor.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.patchvisor.feed.ConfigFile;
import picocli.CommandLine.Option;

/**
 * The config file and the state directory of a command that reads the feed's settings but takes no lock: check,
 * cves, vex, reset-trust. Without {@code --state-dir} the directory follows {@link StateDirectory}'s rule.
 */
final class FeedFileOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default ${DEFAULT-VALUE}).")
    Path config = ConfigFile.DEFAULT;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default: $PATCHVISOR_STATE_DIR, else the config's state-dir, "
                    + "else /var/lib/patchvisor).")
    Path stateDir;

    Path config() {
        return config;
    }

    Optional<Path> stateDirOption() {
        return Optional.ofNullable(stateDir);
    }
}
