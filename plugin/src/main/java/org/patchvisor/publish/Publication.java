package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;

/**
 * The last step of {@code build --repo}: adds the built module to a feed repository (made on first use) as a
 * bundle and signs a new index, so that hosts see it at their next check.
 *
 * @param expires how long hosts accept the signed index ("30d"), as {@link Durations} reads it
 * @param bundle  what the bundle says beyond the module: CVEs, effective version, what it replaces, its level
 */
public record Publication(Path repo, Path key, String expires, BundleDescription bundle, Clock clock) {
    /** The bundle's fields the publisher chose, given what the build knows: its description and functions. */
    public interface BundleDescription {
        BundleSpec spec(Optional<String> description, List<String> functions);
    }

    /** The bundle added and the index signed with it. */
    public record Published(Path repo, BundleEntry entry, FeedIndex index) {
    }

    public Published publish(Path module, List<String> functions, String description) throws IOException {
        PublisherRepository repository = new PublisherRepository(repo, ModuleFiles::read, clock);
        if (!Files.exists(repo)) {
            repository.init();
        }
        BundleEntry entry = repository.add(module, bundle.spec(
                description.isEmpty() ? Optional.empty() : Optional.of(description), functions));
        FeedIndex index = repository.sign(SigningKey.read(key), Durations.parse(expires));
        return new Published(repo, entry, index);
    }
}
