package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.publish.PublisherRepository;
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
        try {
            String id = new PublisherRepository(dir, ModuleFiles::read, RepoCommand.context(repo).clock())
                    .init(Optional.ofNullable(feedId));
            spec.commandLine().getOut().println("initialized feed repository " + dir + " (feed " + id + ")");
            return ExitCodes.OK;
        } catch (IOException e) {
            spec.commandLine().getErr().println("patchvisor repo init: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}
