package org.patchvisor.feed;

import java.util.regex.Pattern;
import org.patchvisor.guest.GuestText;

/**
 * A bundle the publisher withdrew, as the signed index lists it: which bundle (id, module, the SHA-256 of its module
 * file, so a copy from a stale cache or another mirror is recognised too, and its GNU build-id, so the build loaded in
 * a kernel is recognised), why, and when. A revoked bundle is
 * no longer in the index's bundle list; hosts and guests that run it remove it, and it is never applied again.
 */
public record Revocation(String bundle, String module, String sha256, String reason, String revoked,
        String moduleBuildId) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A reason is shown on one line of every host's output: printable, and short. */
    static final int MAX_REASON = 400;

    public Revocation {
        BundleEntry.requireName("revoked bundle id", bundle);
        BundleEntry.requireName("revoked module name", module);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("revocation of " + bundle + ": sha256 is not 64 lower-case hex digits");
        }
        if (reason == null || reason.isBlank() || reason.length() > MAX_REASON
                || !GuestText.isPrintable(reason)) {
            throw new IllegalArgumentException("revocation of " + bundle + ": the reason must be one printable line "
                    + "of at most " + MAX_REASON + " characters");
        }
        FeedIndex.parse("revocation of " + bundle + " 'revoked'", revoked);
        if (moduleBuildId != null && !BundleEntry.BUILD_ID.matcher(moduleBuildId).matches()) {
            throw new IllegalArgumentException("revocation of " + bundle + ": moduleBuildId is not lower-case hex");
        }
    }

    /** The revocation of {@code entry}, for {@code reason}, at {@code at}. */
    public static Revocation of(BundleEntry entry, String reason, String at) {
        return new Revocation(entry.id(), entry.module(), entry.sha256(), reason, at, entry.moduleBuildId());
    }
}
