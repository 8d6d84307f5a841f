package org.patchvisor.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.Sha256;
import org.patchvisor.state.StateCorruptException;

/**
 * Reads {@code <state-dir>/feed/last-serial/<repository-id>}, one decimal number per repository, where the id is
 * a hash of the repository string (a URL is not a safe file name): where patchvisor kept accepted serials before
 * feeds had ids ({@link FileFeedStateStore} keeps them per feed now, and still counts these as floors). Read as a
 * small regular file only ({@link RegularFiles}), so a link to {@code /dev/zero} or a FIFO planted there is refused.
 */
public final class FileSerialStore {
    /** A serial is at most 19 digits and a newline; the slack allows for whitespace an operator added. */
    static final long MAX_BYTES = 64;

    private final Path dir;

    public FileSerialStore(Path stateDir) {
        this.dir = stateDir.resolve("feed").resolve("last-serial");
    }

    public Path fileFor(String repository) {
        return dir.resolve(repositoryHash(repository));
    }

    /** The feed id a format-1 index (which names none) stands for: its repository's. */
    static String legacyFeedId(String repository) {
        return "repo-" + repositoryHash(repository);
    }

    private static String repositoryHash(String repository) {
        return Sha256.of(repository.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }

    public OptionalLong lastAccepted(String repository) throws IOException {
        Path file = fileFor(repository);
        Optional<byte[]> bytes = RegularFiles.readIfPresent(file, MAX_BYTES, RegularFiles.Links.REFUSE);
        if (bytes.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = new String(bytes.get(), StandardCharsets.US_ASCII).strip();
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new StateCorruptException(file, "not a serial number");
        }
    }
}
