package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo sign DIR --key KEY [--key KEY]... [--expires 7d]}: publishes a new index with the next
 * serial, signed by each key given (after a rotation, the new key and, for a while, the old one).
 */
@Command(name = "sign", mixinStandardHelpOptions = true, description = "Write and sign a new index.json.")
public final class RepoSignCommand implements Callable<Integer> {
    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--key", required = true, paramLabel = "KEYFILE",
            description = "Signing key (repeatable: every one signs the index).")
    List<Path> keys;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "7d",
            description = "How long hosts accept this index (default ${DEFAULT-VALUE}); re-sign before then.")
    String expires;

    @ParentCommand
    RepoCommand repo;

    /** Used by picocli: the clock is the context's. */
    public RepoSignCommand() {
        this(null);
    }

    public RepoSignCommand(Clock clock) {
        this.clock = clock;
    }

    private List<SigningKey> signers() throws IOException {
        List<SigningKey> signers = new ArrayList<>();
        for (Path key : keys) {
            signers.add(SigningKey.read(key));
        }
        return signers;
    }

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            FeedIndex index = new PublisherRepository(dir, ModuleFiles::read,
                    clock != null ? clock : RepoCommand.context(repo).clock())
                    .sign(signers(), Durations.parse(expires));
            return List.of("signed " + dir.resolve("index.json") + ": feed " + index.feed() + ", serial "
                    + index.serial() + ", " + index.bundles().size() + " bundle(s), " + index.revoked().size()
                    + " revoked, expires " + index.expires());
        });
    }
}
