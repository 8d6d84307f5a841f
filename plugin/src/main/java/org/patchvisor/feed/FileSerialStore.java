package org.patchvisor.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.Sha256;
import org.patchvisor.state.StateCorruptException;

/**
 * Keeps {@code <state-dir>/feed/last-serial/<repository-id>}, one decimal number per repository, where the id is
 * a hash of the repository string (a URL is not a safe file name). Written atomically; read as a small regular
 * file only ({@link RegularFiles}), so a link to {@code /dev/zero} or a FIFO planted there is refused, not read.
 */
public final class FileSerialStore implements SerialStore {
    /** A serial is at most 19 digits and a newline; the slack allows for whitespace an operator added. */
    static final long MAX_BYTES = 64;

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

    @Override
    public void accept(String repository, long serial) throws IOException {
        OptionalLong last = lastAccepted(repository);
        if (last.isEmpty() || serial > last.getAsLong()) {
            AtomicFiles.write(fileFor(repository), (serial + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
