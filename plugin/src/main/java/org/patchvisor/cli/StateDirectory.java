package org.patchvisor.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedConfigException;

/**
 * The one rule for where patchvisor keeps its state, the same for every command (apply, load at boot, upgrade,
 * check, status...), first match wins: {@code --state-dir} on the command line, {@code PATCHVISOR_STATE_DIR} in
 * the environment, {@code state-dir} in the config file, {@code /var/lib/patchvisor}. Two rules once drifted:
 * upgrade recorded patches where the config said while the boot reload, reading only the environment, looked in
 * the default place.
 */
final class StateDirectory {
    static final String ENV = "PATCHVISOR_STATE_DIR";

    private StateDirectory() {
    }

    /** Where the config file's {@code state-dir} comes from, asked only when option and environment say nothing. */
    interface Configured {
        Optional<Path> stateDir() throws FeedConfigException;
    }

    static Path resolve(Optional<Path> option, Map<String, String> env, Configured config) throws FeedConfigException {
        if (option.isPresent()) {
            return option.get();
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return config.stateDir().orElse(FeedConfig.DEFAULT_STATE_DIR);
    }

    /**
     * The {@code state-dir} of a config file that a command reads for nothing else: none when the file does not
     * exist (a host that patches by hand has no feed configured). Only the {@code state-dir} lines count, and they
     * must be valid; any other line that is malformed goes to {@code skipped}, so that a typo in a feed setting
     * leaves the boot reload working, and in the state directory {@code upgrade} recorded into.
     */
    static Optional<Path> fromOptionalConfig(Path configFile, Consumer<String> skipped) throws FeedConfigException {
        if (Files.notExists(configFile, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return FeedConfig.stateDir(ConfigFile.readOnly(configFile, List.of(FeedConfig.STATE_DIR_KEY), skipped));
    }
}
