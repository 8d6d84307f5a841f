package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one way a {@code repo} subcommand ends: the lines its action returns on stdout and exit 0, or one line on
 * stderr naming the subcommand and exit 1 when the repository refuses (a bad id, a revoked bundle, a retired key).
 */
@FunctionalInterface
interface RepoAction {
    List<String> run() throws IOException;

    static int perform(CommandSpec spec, RepoAction action) {
        try {
            PrintWriter out = spec.commandLine().getOut();
            action.run().forEach(out::println);
            out.flush();
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor repo " + spec.name() + ": " + ShortErrorHandler.message(e));
            return ExitCodes.ERROR;
        }
    }
}
