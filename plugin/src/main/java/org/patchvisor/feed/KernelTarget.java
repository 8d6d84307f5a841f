package org.patchvisor.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.patchvisor.model.KernelId;

/**
 * One kernel a bundle was built for: its release and, when the publisher knew it, its GNU build-id.
 * The build-id is the exact identity; the release is the fallback for hosts that cannot read theirs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KernelTarget(String release, String buildId) {
    private static final Pattern BUILD_ID = Pattern.compile("[0-9a-f]{8,128}");

    public KernelTarget {
        if (release == null || release.isBlank() || release.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("kernel target has no valid release: " + release);
        }
        if (buildId != null) {
            buildId = buildId.toLowerCase(Locale.ROOT);
            if (!BUILD_ID.matcher(buildId).matches()) {
                throw new IllegalArgumentException("kernel target build-id is not hex: " + buildId);
            }
        }
    }

    public static boolean looksLikeBuildId(String text) {
        return BUILD_ID.matcher(text.toLowerCase(Locale.ROOT)).matches() && text.length() >= 20;
    }

    public Optional<String> buildIdValue() {
        return Optional.ofNullable(buildId);
    }

    /** Build-id against build-id when both sides know it, else release against release (as {@link KernelId}). */
    public boolean matches(KernelId kernel) {
        return kernel.matches(new KernelId(release, "", "", buildIdValue()));
    }

    @Override
    public String toString() {
        return buildId == null ? release : release + " (build-id " + buildId + ")";
    }
}
