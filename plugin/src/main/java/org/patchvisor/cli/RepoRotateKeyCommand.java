package org.patchvisor.cli;

import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.publish.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo rotate-key DIR --old KEY --new KEY}: retires the old signing key for the new one and signs
 * the next index with both, announcing the new key: a host that trusts the old key learns the new one from it and
 * refuses the old one alone from then on. Keep signing with both ({@code repo sign --key NEW --key OLD}) while hosts
 * that were offline may still need to see it.
 */
@Command(name = "rotate-key", mixinStandardHelpOptions = true,
        description = "Replace the feed's signing key without touching the hosts' configs.")
public final class RepoRotateKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--old", required = true, paramLabel = "KEYFILE", description = "The key hosts trust now.")
    Path oldKey;

    @Option(names = "--new", required = true, paramLabel = "KEYFILE", description = "The key that takes its place.")
    Path newKey;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "7d",
            description = "How long hosts accept the index this signs (default ${DEFAULT-VALUE}).")
    String expires;

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            SigningKey retired = SigningKey.read(oldKey);
            SigningKey next = SigningKey.read(newKey);
            FeedIndex index = RepoCommand.repository(repo, dir)
                    .rotateKey(retired, next, Durations.parse(expires));
            return List.of("rotated: key " + retired.keyId() + " retired, key " + next.keyId() + " announced; "
                    + dir.resolve("index.json") + " serial " + index.serial() + " signed by both");
        });
    }
}
