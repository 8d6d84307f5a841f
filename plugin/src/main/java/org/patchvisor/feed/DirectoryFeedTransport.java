package org.patchvisor.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a repository from a local directory (a mounted offline mirror, a {@code file:} URL). */
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
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new DownloadTooLargeException(file + " has " + size + " bytes, more than the allowed " + maxBytes);
            }
            return Files.readAllBytes(file);
        } catch (FeedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new FeedUnreachableException("the repository " + root + " has no " + relativePath, e);
        } catch (IOException e) {
            throw new FeedUnreachableException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
