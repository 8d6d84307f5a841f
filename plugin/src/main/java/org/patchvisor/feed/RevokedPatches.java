package org.patchvisor.feed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which loaded live patches are revoked bundles: the one rule for the host and its guests, in order of certainty.
 * <ol>
 *   <li>The kernel shows a loaded module's GNU build-id, and the revocation names the build-id of the revoked module
 *   file: revoked exactly when they are equal (a rebuild under the same module name is another build);</li>
 *   <li>else a patch whose installed record names the SHA-256 of its module file is revoked exactly when that file
 *   was;</li>
 *   <li>else the module name tells, unless a bundle of the feed that is still good has the same name: then nothing
 *   tells the two apart, and removing the good one at every run would be worse.</li>
 * </ol>
 */
public final class RevokedPatches {

    /** A loaded patch to remove, and the revocation that says why. */
    public record InUse(String patch, Revocation revocation) {
    }

    private RevokedPatches() {
    }

    /**
     * @param loaded      module names of the loaded live patches
     * @param buildIds    module name to the GNU build-id the kernel shows for it, where it shows one
     * @param recorded    module name to the recorded SHA-256 of its file, for the patches that have a record
     * @param revocations every revocation known (the index's and those this host remembers)
     * @param good        the bundles the feed still lists for this kernel
     */
    public static List<InUse> find(Collection<String> loaded, Map<String, String> buildIds,
            Map<String, String> recorded, Collection<Revocation> revocations, Collection<BundleEntry> good) {
        List<InUse> found = new ArrayList<>();
        for (String patch : loaded) {
            Optional<Revocation> match;
            List<Revocation> named = revocations.stream().filter(r -> r.module().equals(patch)).toList();
            String built = buildIds.get(patch);
            if (built != null && !named.isEmpty() && named.stream().allMatch(r -> r.moduleBuildId() != null)) {
                match = named.stream().filter(r -> r.moduleBuildId().equals(built)).findFirst();
            } else if (recorded.containsKey(patch)) {
                match = revocations.stream().filter(r -> r.sha256().equals(recorded.get(patch))).findFirst();
            } else {
                boolean ambiguous = good.stream().anyMatch(b -> b.module().equals(patch));
                match = ambiguous ? Optional.empty() : named.stream().findFirst();
            }
            match.ifPresent(r -> found.add(new InUse(patch, r)));
        }
        return found;
    }
}
