package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.patchvisor.feed.AnnouncedKey;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.io.AtomicFiles;

/**
 * The signing keys a repository announces once it has rotated ({@code keys.json}): the current keys, which every
 * index then lists so hosts can learn them, and the retired ones, which every index lists so hosts stop trusting
 * them. A repository that never rotated has no such file, and its indexes announce nothing: hosts trust the key
 * pinned in their config.
 *
 * @param keys    the current signing keys
 * @param retired ids of keys no host should trust any more
 */
public record FeedKeySet(List<AnnouncedKey> keys, List<String> retired) {
    static final String FILE = "keys.json";

    public FeedKeySet {
        keys = List.copyOf(keys == null ? List.of() : keys);
        retired = List.copyOf(new LinkedHashSet<>(retired == null ? List.of() : retired));
    }

    static FeedKeySet none() {
        return new FeedKeySet(List.of(), List.of());
    }

    static FeedKeySet read(Path root) throws IOException {
        return RepositoryJson.readIfPresent(root.resolve(FILE), FeedKeySet.class).orElse(none());
    }

    void write(Path root) throws IOException {
        AtomicFiles.write(root.resolve(FILE), CanonicalJson.write(this));
    }

    /** Whether indexes announce keys at all (the repository has rotated or retired a key). */
    boolean announces() {
        return !keys.isEmpty() || !retired.isEmpty();
    }

    /** {@code old} retired, {@code next} the signing key in its place (and any other current key kept). */
    FeedKeySet rotate(SigningKey old, SigningKey next) throws PublishException {
        if (old.keyId().equals(next.keyId())) {
            throw new PublishException("the new key is the old key (" + old.keyId() + ")");
        }
        if (retired.contains(next.keyId())) {
            throw new PublishException("key " + next.keyId() + " was retired; a retired key never comes back");
        }
        if (retired.contains(old.keyId())) {
            throw new PublishException("key " + old.keyId() + " is retired already");
        }
        List<AnnouncedKey> current = new ArrayList<>();
        keys.stream().filter(k -> !k.keyid().equals(old.keyId()) && !k.keyid().equals(next.keyId()))
                .forEach(current::add);
        current.add(AnnouncedKey.of(next.publicKey()));
        List<String> gone = new ArrayList<>(retired);
        gone.add(old.keyId());
        return new FeedKeySet(current, gone);
    }

    /** {@code keyId} retired outright (a compromised key), leaving the other current keys. */
    FeedKeySet revoke(String keyId) throws PublishException {
        if (retired.contains(keyId)) {
            throw new PublishException("key " + keyId + " is retired already");
        }
        List<AnnouncedKey> current = keys.stream().filter(k -> !k.keyid().equals(keyId)).toList();
        List<String> gone = new ArrayList<>(retired);
        gone.add(keyId);
        return new FeedKeySet(current, gone);
    }

    /** Refuses to sign with no key, or only with retired keys: hosts that follow the rotation would refuse it. */
    void checkSigners(List<SigningKey> signers) throws PublishException {
        if (signers.isEmpty()) {
            throw new PublishException("no signing key given");
        }
        Set<String> ids = new LinkedHashSet<>();
        signers.forEach(k -> ids.add(k.keyId()));
        if (retired.containsAll(ids)) {
            throw new PublishException("key(s) " + String.join(", ", ids) + " are retired: hosts that followed the "
                    + "rotation refuse an index signed only by them; sign with a current key");
        }
        if (!keys.isEmpty() && keys.stream().noneMatch(k -> ids.contains(k.keyid()))) {
            throw new PublishException("none of key(s) " + String.join(", ", ids) + " is a current key of this feed ("
                    + String.join(", ", keys.stream().map(AnnouncedKey::keyid).toList()) + "): hosts that followed "
                    + "the rotation would refuse the index");
        }
    }
}
