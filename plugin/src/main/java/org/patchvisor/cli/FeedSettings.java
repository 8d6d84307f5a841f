package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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

    /** Every key some part of patchvisor reads from the config file; any other is reported as unknown. */
    static final List<String> KNOWN_KEYS = Stream.concat(FeedConfig.KEYS.stream(), Stream.of(RunMetrics.CONFIG_KEY))
            .toList();

    /** The settings; a key nobody reads (a typo) is warned about on {@code warnings}, naming it and its line. */
    static FeedConfig read(Path configFile, Optional<Path> stateDirOption, Map<String, String> env,
            PrintWriter warnings) throws FeedConfigException {
        ConfigFile file = ConfigFile.read(configFile);
        for (String warning : file.unknownKeys(KNOWN_KEYS)) {
            warnings.println("patchvisor: warning: " + warning);
        }
        warnings.flush();
        FeedConfig config = FeedConfig.from(file);
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
