package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.publish.PublisherRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor repo init DIR}: creates an empty repository layout. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create an empty feed repository in DIR.")
public final class RepoInitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Override
    public Integer call() {
        try {
            new PublisherRepository(dir, ModuleFiles::read, RepoCommand.context(repo).clock()).init();
            spec.commandLine().getOut().println("initialized feed repository " + dir);
            return ExitCodes.OK;
        } catch (IOException e) {
            spec.commandLine().getErr().println("patchvisor repo init: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}
