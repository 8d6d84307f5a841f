package org.patchvisor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The one rule for files patchvisor reads or keeps open in directories that someone else may write to (the
 * state directory, the spool, a local feed): regular files only, read with a size cap, and, where the path is
 * patchvisor's own, never through a symbolic link. A planted symlink to {@code /dev/zero}, a FIFO or a directory
 * is then refused with one line instead of an out-of-memory error, a hang or a write through the link.
 *
 * <p>The file's content never appears in a refusal: a link to a secret must not leak it into an error message.
 */
public final class RegularFiles {

    /** Whether the last component of a path may be a symbolic link. */
    public enum Links {
        /** Paths patchvisor owns (state, spool, lock files, a feed's files): a link there was planted. */
        REFUSE,
        /** Paths an administrator names on the command line: the link is theirs, its target must be regular. */
        FOLLOW
    }

    private RegularFiles() {
    }

    /**
     * Reads the whole file, at most {@code maxBytes}.
     *
     * @throws NoSuchFileException    when nothing is there
     * @throws UnsafeFileException    when it is a link (with {@link Links#REFUSE}), not a regular file, or too large
     */
    public static byte[] read(Path file, long maxBytes, Links links) throws IOException {
        BasicFileAttributes attributes = regularAttributes(file, links);
        if (attributes.size() > maxBytes) {
            throw tooLarge(file, attributes.size(), maxBytes);
        }
        try (FileChannel channel = FileChannel.open(file, openOptions(links, StandardOpenOption.READ))) {
            // The size is read again through the open file: it may have grown since, or be swapped for another.
            long size = channel.size();
            if (size > maxBytes) {
                throw tooLarge(file, size, maxBytes);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size + 1, maxBytes + 1));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading: a short read is not the end of a regular file
            }
            if (buffer.position() > maxBytes) {
                throw tooLarge(file, buffer.position(), maxBytes);
            }
            byte[] out = new byte[buffer.position()];
            buffer.flip().get(out);
            return out;
        } catch (FileSystemException e) {
            throw translate(file, e);
        }
    }

    /** Like {@link #read}, empty when nothing is at the path. */
    public static Optional<byte[]> readIfPresent(Path file, long maxBytes, Links links) throws IOException {
        try {
            return Optional.of(read(file, maxBytes, links));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens (creating it if absent) a file patchvisor owns for reading and writing, such as a lock file, never
     * through a symbolic link and only when it is a regular file.
     */
    public static FileChannel openOwned(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            regularAttributes(file, Links.REFUSE);
        }
        try {
            FileChannel channel = FileChannel.open(file, openOptions(Links.REFUSE,
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                channel.close();
                throw new UnsafeFileException(file, "is not a regular file");
            }
            return channel;
        } catch (FileSystemException e) {
            throw translate(file, e);
        }
    }

    /**
     * Checks that {@code file} is a regular file (not followed when {@code links} is {@link Links#REFUSE}).
     *
     * @throws NoSuchFileException when nothing is there
     */
    public static BasicFileAttributes regularAttributes(Path file, Links links) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            if (links == Links.REFUSE) {
                throw new UnsafeFileException(file, "is a symbolic link, not a regular file");
            }
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        }
        if (attributes.isDirectory()) {
            throw new UnsafeFileException(file, "is a directory, not a regular file");
        }
        if (!attributes.isRegularFile()) {
            throw new UnsafeFileException(file, "is a device, FIFO or socket, not a regular file");
        }
        return attributes;
    }

    /** What a size cap reads as: whole mebibytes where it is that large. */
    public static String describeSize(long bytes) {
        return bytes >= (1L << 20) && bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static UnsafeFileException tooLarge(Path file, long size, long maxBytes) {
        return new UnsafeFileException(file, "has " + size + " bytes, more than the " + describeSize(maxBytes)
                + " allowed");
    }

    private static OpenOption[] openOptions(Links links, OpenOption... base) {
        if (links == Links.FOLLOW) {
            return base;
        }
        OpenOption[] options = java.util.Arrays.copyOf(base, base.length + 1);
        options[base.length] = LinkOption.NOFOLLOW_LINKS;
        return options;
    }

    /** A link swapped in after the check answers ELOOP on open; name it for what it is. */
    private static IOException translate(Path file, FileSystemException e) {
        if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
            return e; // described where every file-system error is ("<path>: permission denied")
        }
        String reason = e.getReason() == null ? "" : e.getReason();
        if (reason.contains("symbolic links")) {
            return new UnsafeFileException(file, "is a symbolic link, not a regular file");
        }
        return new UnsafeFileException(file, reason.isEmpty() ? "cannot be read" : "cannot be read: " + reason);
    }
}
