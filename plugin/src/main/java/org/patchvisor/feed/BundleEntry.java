package org.patchvisor.feed;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.KernelId;

/**
 * One live-patch bundle as the signed index lists it: the manifest of a module file stored in the repository
 * under {@code blobs/sha256/<sha256>}. A cumulative bundle of level N supersedes every lower level for the
 * same kernel (atomic replace), plus any module named in {@code replaces}. {@code channels} says since when the
 * bundle is in each channel it was published or promoted to ({@code stable}, {@code testing}, any name); hosts
 * follow one channel and may wait a delay after that time. {@code moduleBuildId} is the GNU build-id of the module
 * file, which the kernel shows for a loaded module: how a loaded build is told from another of the same name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BundleEntry(
        String id,
        String module,
        String sha256,
        long size,
        int cumulativeLevel,
        List<String> replaces,
        List<String> cves,
        String description,
        String effectiveVersion,
        List<String> functions,
        List<KernelTarget> kernels,
        Map<String, String> channels,
        String moduleBuildId) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    static final Pattern BUILD_ID = Pattern.compile("[0-9a-f]{8,128}");
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
    /** A CVE id as MITRE numbers them; what the publisher accepts and every host checks again. */
    public static final Pattern CVE_ID = Pattern.compile("CVE-\\d{4}-\\d{4,}");
    /** The longest effective kernel version a bundle may announce ({@code uname -r} prints it). */
    static final int MAX_EFFECTIVE_VERSION = 128;

    public BundleEntry {
        requireName("bundle id", id);
        requireName("module name", module);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("bundle " + id + ": sha256 is not 64 lower-case hex digits");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("bundle " + id + ": size must be positive");
        }
        if (cumulativeLevel < 1) {
            throw new IllegalArgumentException("bundle " + id + ": cumulativeLevel must be at least 1");
        }
        replaces = JsonLists.copy(replaces, "bundle " + id + ": 'replaces'");
        cves = JsonLists.copy(cves, "bundle " + id + ": 'cves'");
        if (cves.stream().anyMatch(c -> !CVE_ID.matcher(c).matches())) {
            throw new IllegalArgumentException("bundle " + id + ": 'cves' holds something that is not a CVE id");
        }
        if (effectiveVersion != null && (effectiveVersion.isBlank()
                || effectiveVersion.length() > MAX_EFFECTIVE_VERSION || !GuestText.isPrintable(effectiveVersion))) {
            throw new IllegalArgumentException("bundle " + id + ": effectiveVersion must be one printable line of "
                    + "at most " + MAX_EFFECTIVE_VERSION + " characters");
        }
        functions = JsonLists.copy(functions, "bundle " + id + ": 'functions'");
        kernels = JsonLists.copy(kernels, "bundle " + id + ": 'kernels'");
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("bundle " + id + ": targets no kernel");
        }
        if (channels != null) {
            for (Map.Entry<String, String> channel : channels.entrySet()) {
                requireChannel(channel.getKey());
                FeedIndex.parse("bundle " + id + " channel " + channel.getKey(), channel.getValue());
            }
            channels = Collections.unmodifiableMap(new TreeMap<>(channels));
        }
        if (moduleBuildId != null && !BUILD_ID.matcher(moduleBuildId).matches()) {
            throw new IllegalArgumentException("bundle " + id + ": moduleBuildId is not lower-case hex");
        }
    }

    /** The channel names a publisher may use: short, lower case, safe in a file name and on one line. */
    public static String requireChannel(String channel) {
        if (channel == null || !CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel '" + channel + "' is not 1 to 32 of a-z, 0-9, '.', '_', '-'");
        }
        return channel;
    }

    /** This entry in {@code channel} since {@code at} (as well as in the channels it was in already). */
    public BundleEntry inChannel(String channel, Instant at) {
        Map<String, String> more = new TreeMap<>(channels == null ? Map.of() : channels);
        more.putIfAbsent(requireChannel(channel), at.toString());
        return new BundleEntry(id, module, sha256, size, cumulativeLevel, replaces, cves, description,
                effectiveVersion, functions, kernels, more, moduleBuildId);
    }

    /**
     * This entry as it is published now: a channel the {@code previous} signed index already listed it in keeps the
     * time it had there; a channel it enters with this index gets {@code now}. A delay is so counted from when hosts
     * could first see the bundle in the channel, not from when the publisher added or promoted it.
     */
    public BundleEntry publishedAt(BundleEntry previous, Instant now) {
        if (channels == null) {
            return this;
        }
        Map<String, String> stamped = new TreeMap<>();
        for (String channel : channels.keySet()) {
            String before = previous == null || previous.channels == null ? null : previous.channels.get(channel);
            stamped.put(channel, before != null ? before : now.toString());
        }
        return new BundleEntry(id, module, sha256, size, cumulativeLevel, replaces, cves, description,
                effectiveVersion, functions, kernels, stamped, moduleBuildId);
    }

    /** When the bundle entered each of its channels. */
    public Map<String, Instant> channelTimes() {
        Map<String, Instant> times = new TreeMap<>();
        if (channels != null) {
            channels.forEach((name, at) -> times.put(name, Instant.parse(at)));
        }
        return times;
    }

    /**
     * Since when the bundle is in {@code channel}: from its own channel list, or, for an entry of a format-1 index
     * (which had no channels), since {@code indexCreated} in {@link FeedIndex#DEFAULT_CHANNEL} only.
     */
    public Optional<Instant> inChannelSince(String channel, Instant indexCreated) {
        if (channels == null) {
            return channel.equals(FeedIndex.DEFAULT_CHANNEL) ? Optional.of(indexCreated) : Optional.empty();
        }
        return Optional.ofNullable(channels.get(channel)).map(Instant::parse);
    }

    /** Whether {@code text} may be a bundle id or module name (safe in a file name, one line). */
    public static boolean isName(String text) {
        return text != null && NAME.matcher(text).matches();
    }

    static void requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " is missing or has characters outside [A-Za-z0-9._+-]: " + value);
        }
    }

    /** True when one of the bundle's targets is exactly this kernel (build-id when both sides know it). */
    public boolean targets(KernelId kernel) {
        return kernels.stream().anyMatch(target -> target.matches(kernel));
    }

    /** Where the module file lives, relative to the repository root. */
    public String blobPath() {
        return "blobs/sha256/" + sha256;
    }
}
