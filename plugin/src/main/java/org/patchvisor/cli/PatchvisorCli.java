package org.patchvisor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: only subcommands and global options live here. */
@Command(name = "patchvisor", mixinStandardHelpOptions = true,
        description = "Rebootless kernel patching for virtualization hosts and their guests.",
        subcommands = {RepoCommand.class, CheckCommand.class})
public final class PatchvisorCli {

    public static int run(String... args) {
        return new CommandLine(new PatchvisorCli()).execute(args);
    }
}
