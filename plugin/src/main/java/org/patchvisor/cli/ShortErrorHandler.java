package org.patchvisor.cli;

import java.io.PrintWriter;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.guest.GuestText;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.state.LockFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure into one line on stderr and its documented exit code. The stack trace is only shown
 * with {@code --debug}: an administrator needs the reason, not our call stack.
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
        return exitCode(ex);
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof PatchException p) {
            return switch (p.reason()) {
                case NOT_ROOT -> ExitCodes.NOT_ROOT;
                case UNSUPPORTED -> ExitCodes.UNSUPPORTED;
                case REFUSED -> ExitCodes.REFUSED;
                case TRANSITION_TIMEOUT -> ExitCodes.TRANSITION_TIMEOUT;
                case KERNEL_REFUSED -> ExitCodes.KERNEL_REFUSED;
                case NOT_FOUND -> ExitCodes.NOT_FOUND;
                case REVERT_FAILED -> ExitCodes.REVERT_FAILED;
                case LOCKED -> ExitCodes.LOCKED;
                case IN_CONTAINER -> ExitCodes.IN_CONTAINER;
            };
        }
        if (ex instanceof LockFileException) {
            return ExitCodes.FOREIGN_FILE;
        }
        if (ex instanceof ElfFormatException) {
            return ExitCodes.REFUSED;
        }
        if (ex instanceof org.patchvisor.spi.GuestUnreachableException
                || ex instanceof org.patchvisor.guest.GuestChannel.GuestTimeoutException) {
            return ExitCodes.GUEST_UNREACHABLE;
        }
        return ExitCodes.ERROR;
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
