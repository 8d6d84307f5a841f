package org.patchvisor.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.patchvisor.state.AtomicFiles;
import org.patchvisor.state.Sha256;

/**
 * Keeps {@code <state-dir>/feed/last-serial/<repository-id>}, one decimal number per repository, where the id is
 * a hash of the repository string (a URL is not a safe file name). Written atomically.
 */
public final class FileSerialStore implements SerialStore {
    private final Path dir;

    public FileSerialStore(Path stateDir) {
        this.dir = stateDir.resolve("feed").resolve("last-serial");
    }

    public Path fileFor(String repository) {
        return dir.resolve(Sha256.of(repository.getBytes(StandardCharsets.UTF_8)).substring(0, 24));
    }

    @Override
    public OptionalLong lastAccepted(String repository) throws IOException {
        Path file = fileFor(repository);
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold a serial number: '" + text + "'");
        }
    }

    @Override
    public void accept(String repository, long serial) throws IOException {
        OptionalLong last = lastAccepted(repository);
        if (last.isEmpty() || serial > last.getAsLong()) {
            AtomicFiles.write(fileFor(repository), (serial + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
