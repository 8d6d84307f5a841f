package org.patchvisor.cli;

import java.io.PrintWriter;
import org.patchvisor.guest.GuestText;
import org.patchvisor.kernel.PatchException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure into one line on stderr and its documented exit code ({@link ExitPolicy}), so a command
 * that does not catch a failure still ends with the right code. The stack trace is only shown with
 * {@code --debug}: an administrator needs the reason, not our call stack.
 */
final class ShortErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        err.println("patchvisor: " + message(ex));
        if (debug(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitPolicy.code(ex, cmd.getCommand());
    }

    /**
     * The failure as one printable line. A message may quote what a guest's agent, a file or a server said, so
     * control characters and line breaks are escaped here, once for every command, whatever the exception.
     */
    static String message(Throwable ex) {
        return GuestText.oneLine(rawMessage(ex));
    }

    private static String rawMessage(Throwable ex) {
        if (ex instanceof PatchException) {
            return ex.getMessage();
        }
        if (ex instanceof java.nio.file.FileSystemException f) {
            return FileErrors.describe(f);
        }
        String text = ex.getMessage();
        return text == null || text.isBlank() ? ex.getClass().getSimpleName() : text;
    }

    private static boolean debug(ParseResult parseResult) {
        for (ParseResult r = parseResult; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
