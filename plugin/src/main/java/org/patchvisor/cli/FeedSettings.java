package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedConfigException;
import org.patchvisor.guest.GuestText;

/**
 * The feed settings {@code check}, {@code upgrade} and {@code worker} run with, so all keep accepted serials, the
 * download cache and (for upgrade) the installed records in the same place: the state directory follows
 * {@link StateDirectory}'s rule, the one every other command follows too.
 */
final class FeedSettings {
    private FeedSettings() {
    }

    /** Every key some part of patchvisor reads from the config file; any other is reported as unknown. */
    static final List<String> KNOWN_KEYS = Stream.concat(FeedConfig.KEYS.stream(), Stream.of(RunMetrics.CONFIG_KEY))
            .toList();

    /** Where a feed's warnings (a mirror passed over) go: one line each on {@code err}, as config warnings do. */
    static Consumer<String> warnings(PrintWriter err) {
        return line -> {
            err.println("patchvisor: warning: " + GuestText.oneLine(line));
            err.flush();
        };
    }

    /** The settings; a key nobody reads (a typo) is warned about on {@code warnings}, naming it and its line. */
    static FeedConfig read(Path configFile, Optional<Path> stateDirOption, Map<String, String> env,
            PrintWriter warnings) throws FeedConfigException {
        ConfigFile file = ConfigFile.read(configFile);
        for (String warning : file.unknownKeys(KNOWN_KEYS)) {
            warnings.println("patchvisor: warning: " + warning);
        }
        warnings.flush();
        FeedConfig config = FeedConfig.from(file);
        return config.withStateDir(StateDirectory.resolve(stateDirOption, env, () -> FeedConfig.stateDir(file)));
    }
}
