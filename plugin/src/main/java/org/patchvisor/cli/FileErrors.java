package org.patchvisor.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/**
 * How a file-system error reads on the command line: {@code <path>: <reason>}. java.nio's own message is only
 * the path for a missing file or a denied access, and "Is a directory" alone for a read of a directory, so without
 * this one rule an administrator sees a bare path, or a reason without the file it is about.
 */
final class FileErrors {
    private FileErrors() {
    }

    static String describe(FileSystemException e) {
        String file = e.getFile() == null ? "" : e.getFile();
        String other = e.getOtherFile() == null ? "" : " -> " + e.getOtherFile();
        String where = file.isEmpty() ? "" : file + other + ": ";
        return where + reason(e);
    }

    private static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof FileSystemLoopException) {
            return "symbolic link loop";
        }
        String reason = e.getReason();
        if (reason == null || reason.isBlank()) {
            return "cannot be used";
        }
        return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }
}
