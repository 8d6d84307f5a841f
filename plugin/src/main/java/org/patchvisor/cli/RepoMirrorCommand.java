package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.EnvProxySelector;
import org.patchvisor.feed.FeedClient;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.FeedTransports;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.IndexVerifier;
import org.patchvisor.feed.FeedStateStore;
import org.patchvisor.feed.TrustedKeys;
import org.patchvisor.publish.RepositoryMirror;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo mirror URL DIR}: fetches and verifies a whole repository into a directory that an
 * air-gapped site then serves or reads. Keys come from {@code --trusted-key} or else the config file.
 */
@Command(name = "mirror", mixinStandardHelpOptions = true, description = "Copy a verified repository into DIR.")
public final class RepoMirrorCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Parameters(index = "1", paramLabel = "DIR")
    Path dir;

    @Option(names = "--trusted-key", paramLabel = "BASE64", description = "Public key to verify with (repeatable).")
    List<String> trustedKeys = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "Config file for keys and proxy (default ${DEFAULT-VALUE}).")
    Path config = ConfigFile.DEFAULT;

    @ParentCommand
    RepoCommand repo;

    /** Used by picocli: the environment and the clock are the context's. */
    public RepoMirrorCommand() {
        this(null, null);
    }

    public RepoMirrorCommand(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        try {
            HostContext context = env == null || clock == null ? RepoCommand.context(repo) : null;
            Map<String, String> env = this.env != null ? this.env : context.env();
            Clock clock = this.clock != null ? this.clock : context.clock();
            List<String> keys = trustedKeys;
            Optional<String> proxy = Optional.empty();
            if (keys.isEmpty()) {
                FeedConfig feedConfig = FeedConfig.from(ConfigFile.read(config));
                keys = feedConfig.trustedKeys();
                proxy = feedConfig.proxy();
            }
            FetchLimits limits = FetchLimits.defaults();
            FeedClient source = new FeedClient(url,
                    FeedTransports.open(url, EnvProxySelector.create(proxy, env), limits),
                    new IndexVerifier(TrustedKeys.parse(keys), clock),
                    FeedStateStore.of(RepositoryMirror.trustOf(dir)), limits);
            FeedIndex index = new RepositoryMirror(source, dir).run();
            spec.commandLine().getOut().println("mirrored " + url + " to " + dir
                    + ": serial " + index.serial() + ", " + index.bundles().size() + " bundle(s), all verified");
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor repo mirror: " + ShortErrorHandler.message(e));
            return ExitCodes.ERROR;
        }
    }
}
