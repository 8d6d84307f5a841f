package org.patchvisor.feed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which loaded live patches are revoked bundles: the one rule for the host and its guests. A patch whose installed
 * record names the SHA-256 of its module file is revoked exactly when that file was revoked. A patch without a record
 * (a guest's, or one loaded by hand) is recognised by its module name, unless a bundle of the feed that is still good
 * has the same module name: then nothing tells the two apart, and removing the good one at every run would be worse.
 */
public final class RevokedPatches {

    /** A loaded patch to remove, and the revocation that says why. */
    public record InUse(String patch, Revocation revocation) {
    }

    private RevokedPatches() {
    }

    /**
     * @param loaded      module names of the loaded live patches
     * @param recorded    module name to the recorded SHA-256 of its file, for the patches that have a record
     * @param revocations every revocation known (the index's and those this host remembers)
     * @param good        the bundles the feed still lists
     */
    public static List<InUse> find(Collection<String> loaded, Map<String, String> recorded,
            Collection<Revocation> revocations, Collection<BundleEntry> good) {
        List<InUse> found = new ArrayList<>();
        for (String patch : loaded) {
            Optional<Revocation> match;
            if (recorded.containsKey(patch)) {
                match = revocations.stream().filter(r -> r.sha256().equals(recorded.get(patch))).findFirst();
            } else {
                boolean ambiguous = good.stream().anyMatch(b -> b.module().equals(patch));
                match = ambiguous ? Optional.empty()
                        : revocations.stream().filter(r -> r.module().equals(patch)).findFirst();
            }
            match.ifPresent(r -> found.add(new InUse(patch, r)));
        }
        return found;
    }
}
