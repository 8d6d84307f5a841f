package org.patchvisor.cli;

import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.feed.BundleEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo promote DIR BUNDLE-ID --to CHANNEL}: puts a bundle in another channel from now on (a
 * tested bundle into stable, say); hosts on that channel with a delay count it from this moment, once signed.
 */
@Command(name = "promote", mixinStandardHelpOptions = true, description = "Put a bundle in another channel.")
public final class RepoPromoteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "BUNDLE-ID")
    String bundle;

    @Option(names = "--to", required = true, paramLabel = "CHANNEL", description = "The channel to add it to.")
    String channel;

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            BundleEntry entry = RepoCommand.repository(repo, dir)
                    .promote(bundle, channel);
            return List.of("promoted " + entry.id() + " to " + channel + " (in "
                    + String.join(", ", entry.channelTimes().keySet()) + "); run 'patchvisor repo sign' to publish");
        });
    }
}
