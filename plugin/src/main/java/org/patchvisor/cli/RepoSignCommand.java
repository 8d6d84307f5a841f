package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
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

/** {@code patchvisor repo sign DIR --key KEY [--expires 30d]}: publishes a new index with the next serial. */
@Command(name = "sign", mixinStandardHelpOptions = true, description = "Write and sign a new index.json.")
public final class RepoSignCommand implements Callable<Integer> {
    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--key", required = true, paramLabel = "KEYFILE")
    Path key;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "30d",
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

    @Override
    public Integer call() {
        try {
            FeedIndex index = new PublisherRepository(dir, ModuleFiles::read,
                    clock != null ? clock : RepoCommand.context(repo).clock())
                    .sign(SigningKey.read(key), Durations.parse(expires));
            spec.commandLine().getOut().println("signed " + dir.resolve("index.json") + ": serial " + index.serial()
                    + ", " + index.bundles().size() + " bundle(s), expires " + index.expires());
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor repo sign: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}
