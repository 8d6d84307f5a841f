package org.patchvisor.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo init DIR [--feed-id ID]}: creates an empty repository layout and gives the feed its id,
 * which every index names and every mirror keeps: hosts keep their replay protection per feed id.
 */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create an empty feed repository in DIR.")
public final class RepoInitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--feed-id", paramLabel = "ID",
            description = "The feed's stable id (8 to 64 of a-z, 0-9 and -); default: a random one.")
    String feedId;

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            String id = RepoCommand.repository(repo, dir).init(Optional.ofNullable(feedId));
            return List.of("initialized feed repository " + dir + " (feed " + id + ")");
        });
    }
}
