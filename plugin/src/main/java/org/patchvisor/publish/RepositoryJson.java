package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.MalformedIndexException;
import org.patchvisor.io.RegularFiles;

/**
 * Reads a repository's own JSON files (the index, bundle manifests, revocations, the key set): regular files only,
 * never through a symbolic link, and no larger than a host takes an index. A malformed one is one
 * {@link PublishException} naming the file: nothing is signed or mirrored on top of it.
 */
final class RepositoryJson {
    private static final long MAX_BYTES = FetchLimits.defaults().indexMaxBytes();

    private RepositoryJson() {
    }

    static <T> T read(Path file, Class<T> type) throws IOException {
        return parse(RegularFiles.read(file, MAX_BYTES, RegularFiles.Links.REFUSE), type, file);
    }

    static <T> Optional<T> readIfPresent(Path file, Class<T> type) throws IOException {
        Optional<byte[]> bytes = RegularFiles.readIfPresent(file, MAX_BYTES, RegularFiles.Links.REFUSE);
        return bytes.isEmpty() ? Optional.empty() : Optional.of(parse(bytes.get(), type, file));
    }

    private static <T> T parse(byte[] bytes, Class<T> type, Path file) throws PublishException {
        try {
            return CanonicalJson.read(bytes, type, file.toString());
        } catch (MalformedIndexException e) {
            throw new PublishException(e.getMessage() + "; move it away or repair it to go on", e);
        }
    }
}
