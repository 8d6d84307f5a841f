package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.patchvisor.io.Sha256;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.IndexSignature;
import org.patchvisor.feed.KernelTarget;
import org.patchvisor.feed.MalformedIndexException;
import org.patchvisor.feed.SignatureFile;
import org.patchvisor.io.HeapShare;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.model.ModuleInfo;

/**
 * A feed repository on the publisher's disk. {@code add} stores the module as a content-addressed blob and its
 * manifest under {@code bundles/<id>.json}; {@code sign} gathers every manifest into a new {@code index.json} with
 * the next serial and writes the signature over exactly those bytes. Nothing is visible to hosts until signed.
 */
public final class PublisherRepository {
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}");
    private final Path root;
    private final ModuleInspector inspector;
    private final Clock clock;

    public PublisherRepository(Path root, ModuleInspector inspector, Clock clock) {
        this.root = root;
        this.inspector = inspector;
        this.clock = clock;
    }

    public void init() throws IOException {
        if (Files.exists(root.resolve("index.json")) || Files.isDirectory(root.resolve("bundles"))) {
            throw new PublishException(root + " already holds a repository");
        }
        Files.createDirectories(root.resolve("blobs").resolve("sha256"));
        Files.createDirectories(root.resolve("bundles"));
    }

    private void requireRepository() throws PublishException {
        if (!Files.isDirectory(root.resolve("bundles")) || !Files.isDirectory(root.resolve("blobs/sha256"))) {
            throw new PublishException(root + " is not a repository (run 'patchvisor repo init " + root + "')");
        }
    }

    public BundleEntry add(Path module, BundleSpec spec) throws IOException {
        return add(module, spec, HeapShare.ofThisJvm());
    }

    /**
     * As {@link #add(Path, BundleSpec)} within {@code heap}. A module larger than hosts download (the blob cap
     * of {@link FetchLimits}) is refused before it is read: it would be published and then fetched by no one.
     */
    BundleEntry add(Path module, BundleSpec spec, HeapShare heap) throws IOException {
        requireRepository();
        long size;
        try {
            size = RegularFiles.regularAttributes(module, RegularFiles.Links.FOLLOW).size();
        } catch (NoSuchFileException e) {
            throw new PublishException("module file " + module + " does not exist");
        }
        long hostsTake = FetchLimits.defaults().blobMaxBytes();
        if (size > hostsTake) {
            throw new PublishException(module + " has " + size + " bytes, more than the "
                    + RegularFiles.describeSize(hostsTake) + " a host downloads; no host could fetch it");
        }
        if (size > heap.perFile()) {
            throw heap.tooLarge(module, size);
        }
        ModuleInfo info = inspector.inspect(module);
        if (!info.livepatch()) {
            throw new PublishException(module + " is not a live patch: its .modinfo has no 'livepatch=Y'");
        }
        for (String cve : spec.cves()) {
            if (!CVE.matcher(cve).matches()) {
                throw new PublishException("'" + cve + "' is not a CVE id like CVE-2024-12345");
            }
        }
        byte[] data = RegularFiles.read(module, Math.min(hostsTake, heap.perFile()), RegularFiles.Links.FOLLOW);
        String sha256 = Sha256.of(data);
        List<KernelTarget> targets = targets(info, spec.kernels());
        BundleEntry entry;
        try {
            entry = new BundleEntry(info.name() + "-" + sha256.substring(0, 12), info.name(), sha256, data.length,
                    spec.cumulativeLevel(), spec.replaces(), spec.cves(), spec.description().orElse(null),
                    spec.effectiveVersion().orElse(null), spec.functions(), targets);
        } catch (IllegalArgumentException e) {
            throw new PublishException(module + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(root.resolve(entry.blobPath()), data);
        AtomicFiles.write(root.resolve("bundles").resolve(entry.id() + ".json"), CanonicalJson.write(entry));
        return entry;
    }

    private static List<KernelTarget> targets(ModuleInfo info, List<String> kernels) throws PublishException {
        String release = info.targetRelease();
        if (kernels.isEmpty()) {
            return List.of(new KernelTarget(release, null));
        }
        List<KernelTarget> targets = new ArrayList<>();
        for (String kernel : kernels) {
            if (KernelTarget.looksLikeBuildId(kernel)) {
                targets.add(new KernelTarget(release, kernel));
            } else if (kernel.equals(release)) {
                targets.add(new KernelTarget(release, null));
            } else {
                throw new PublishException("the module was built for " + release + " (vermagic), not for " + kernel);
            }
        }
        return targets;
    }

    public List<BundleEntry> bundles() throws IOException {
        requireRepository();
        List<BundleEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve("bundles"), "*.json")) {
            for (Path file : files) {
                entries.add(CanonicalJson.read(Files.readAllBytes(file), BundleEntry.class, file.toString()));
            }
        }
        entries.sort(Comparator.comparing(BundleEntry::id));
        return entries;
    }

    /** Writes a new index with the next serial and its signature; the signature file goes first. */
    public FeedIndex sign(SigningKey key, Duration validFor) throws IOException {
        List<BundleEntry> bundles = bundles();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        FeedIndex index = new FeedIndex(FeedIndex.FORMAT, previousSerial() + 1, now.toString(),
                now.plus(validFor).toString(), bundles);
        byte[] indexBytes = CanonicalJson.write(index);
        byte[] sig = Ed25519Keys.sign(key.privateKey(), indexBytes);
        SignatureFile signatures = new SignatureFile(List.of(
                new IndexSignature(key.keyId(), Base64.getEncoder().encodeToString(sig))));
        AtomicFiles.write(root.resolve("index.json.sig"), CanonicalJson.write(signatures));
        AtomicFiles.write(root.resolve("index.json"), indexBytes);
        return index;
    }

    private long previousSerial() throws IOException {
        Path current = root.resolve("index.json");
        if (!Files.exists(current)) {
            return 0;
        }
        try {
            return CanonicalJson.read(Files.readAllBytes(current), FeedIndex.class, current.toString()).serial();
        } catch (MalformedIndexException e) {
            throw new PublishException("cannot continue the serial: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }
}
