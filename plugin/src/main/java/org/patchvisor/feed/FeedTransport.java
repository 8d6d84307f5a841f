package org.patchvisor.feed;

/**
 * Reads one file of a repository by its path relative to the repository root, refusing to read more than
 * {@code maxBytes}. HTTP(S) and local directories (an offline mirror) implement it.
 */
public interface FeedTransport {

    byte[] fetch(String relativePath, long maxBytes) throws FeedException;

    /** Where the files come from, for messages. */
    String describe();
}
