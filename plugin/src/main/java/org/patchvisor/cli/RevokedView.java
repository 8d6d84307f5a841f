package org.patchvisor.cli;

import java.util.List;
import java.util.Map;
import org.patchvisor.feed.RevokedPatches;

/** How {@code --json} shows revoked patches in use: the patch, the revoked bundle and the publisher's reason. */
final class RevokedView {
    private RevokedView() {
    }

    static List<Map<String, String>> of(List<RevokedPatches.InUse> revoked) {
        return revoked.stream().map(r -> Map.of("patch", r.patch(), "bundle", r.revocation().bundle(), "reason",
                r.revocation().reason())).toList();
    }
}
