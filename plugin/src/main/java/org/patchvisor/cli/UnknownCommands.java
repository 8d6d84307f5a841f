package org.patchvisor.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Makes a word the command line does not know a usage error even beside {@code --help}. picocli keeps unmatched
 * words aside when help is asked for and prints the parent's help with exit 0, so {@code patchvisor repo revoke
 * --help} looked like a command that exists; a script must see exit 2 and "unknown command" instead.
 */
final class UnknownCommands implements IExecutionStrategy {
    private final IExecutionStrategy next;

    UnknownCommands(IExecutionStrategy next) {
        this.next = next;
    }

    @Override
    public int execute(ParseResult parseResult) {
        for (ParseResult r = parseResult; r != null; r = r.subcommand()) {
            refuseUnmatched(r);
        }
        return next.execute(parseResult);
    }

    private static void refuseUnmatched(ParseResult result) {
        List<String> unmatched = result.unmatched();
        if (unmatched.isEmpty()) {
            return;
        }
        CommandLine command = result.commandSpec().commandLine();
        String first = unmatched.get(0);
        if (!command.getSubcommands().isEmpty() && !first.startsWith("-")) {
            throw new ParameterException(command, "unknown command '" + first + "' for '"
                    + result.commandSpec().qualifiedName() + "' (commands: "
                    + String.join(", ", command.getSubcommands().keySet()) + ")");
        }
        throw new UnmatchedArgumentException(command, unmatched);
    }
}
