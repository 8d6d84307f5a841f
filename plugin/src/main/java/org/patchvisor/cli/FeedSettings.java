package org.patchvisor.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedConfigException;

/**
 * The feed settings {@code check} and {@code upgrade} run with, so both keep accepted serials, the download cache
 * and (for upgrade) the installed records in the same place. The state directory is, first match wins:
 * {@code --state-dir} on the command line, {@code PATCHVISOR_STATE_DIR} in the environment, {@code state-dir} in
 * the config file, {@code /var/lib/patchvisor} — the same place the other commands use unless told otherwise.
 */
final class FeedSettings {
    static final String STATE_DIR_ENV = "PATCHVISOR_STATE_DIR";

    private FeedSettings() {
    }

    static FeedConfig read(Path configFile, Optional<Path> stateDirOption, Map<String, String> env)
            throws FeedConfigException {
        FeedConfig config = FeedConfig.from(ConfigFile.read(configFile));
        if (stateDirOption.isPresent()) {
            return config.withStateDir(stateDirOption.get());
        }
        String fromEnv = env.get(STATE_DIR_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return config.withStateDir(Path.of(fromEnv));
        }
        return config;
    }
}
