package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.UnsafeFileException;

/**
 * Reads a repository from a local directory (a mounted offline mirror, a {@code file:} URL). Its files obey the
 * same rule as the state directory ({@link RegularFiles}): regular files only, never through a symbolic link,
 * capped like a download; so a planted link to {@code /dev/zero}, a FIFO or a link to a secret is refused with one
 * line that never shows what it points at.
 */
public final class DirectoryFeedTransport implements FeedTransport {
    private final Path root;

    public DirectoryFeedTransport(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public byte[] fetch(String relativePath, long maxBytes) throws FeedException {
        Path file = root.resolve(relativePath).normalize();
        if (!file.startsWith(root)) {
            throw new FeedUnreachableException(relativePath + " lies outside the repository " + root);
        }
        try {
            BasicFileAttributes attributes = RegularFiles.regularAttributes(file, RegularFiles.Links.REFUSE);
            if (attributes.size() > maxBytes) {
                throw new DownloadTooLargeException(file + " has " + attributes.size() + " bytes, more than the allowed "
                        + maxBytes);
            }
            return RegularFiles.read(file, maxBytes, RegularFiles.Links.REFUSE);
        } catch (FeedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new FeedUnreachableException("the repository " + root + " has no " + relativePath, e);
        } catch (UnsafeFileException e) {
            throw new FeedUnreachableException(e.getMessage() + " (a local repository serves regular files only)", e);
        } catch (IOException e) {
            throw new FeedUnreachableException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
