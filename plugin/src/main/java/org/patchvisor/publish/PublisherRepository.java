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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.patchvisor.io.Sha256;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.IndexSignature;
import org.patchvisor.feed.KernelTarget;
import org.patchvisor.feed.Revocation;
import org.patchvisor.feed.SignatureFile;
import org.patchvisor.io.HeapShare;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.model.ModuleInfo;

/**
 * A feed repository on the publisher's disk. {@code init} gives the feed its id ({@code feed-id}), which every index
 * names and every mirror keeps; {@code add} stores the module as a content-addressed blob and its manifest under
 * {@code bundles/<id>.json}, in its first channel; {@code promote} puts a bundle in another channel; {@code revoke}
 * moves its manifest to {@code revoked/<id>.json} with the reason; {@code sign} gathers every manifest and
 * revocation into a new {@code index.json} with the next serial, the keys of a rotation ({@link FeedKeySet}), and
 * writes the signatures over exactly those bytes. Nothing is visible to hosts until signed.
 */
public final class PublisherRepository {
    private static final String FEED_ID = "feed-id";
    private static final String REVOKED = "revoked";
    private final Path root;
    private final ModuleInspector inspector;
    private final Clock clock;

    public PublisherRepository(Path root, ModuleInspector inspector, Clock clock) {
        this.root = root;
        this.inspector = inspector;
        this.clock = clock;
    }

    public void init() throws IOException {
        init(Optional.empty());
    }

    /** Creates the layout and the feed id ({@code feedId}, else a random one). Returns the id. */
    public String init(Optional<String> feedId) throws IOException {
        if (Files.exists(root.resolve("index.json")) || Files.isDirectory(root.resolve("bundles"))) {
            throw new PublishException(root + " already holds a repository");
        }
        String id = feedId.orElseGet(PublisherRepository::newFeedId);
        if (!FeedIndex.isFeedId(id)) {
            throw new PublishException("'" + id + "' is not a feed id: 8 to 64 of a-z, 0-9 and -, starting with a letter "
                    + "or digit");
        }
        Files.createDirectories(root.resolve("blobs").resolve("sha256"));
        Files.createDirectories(root.resolve("bundles"));
        AtomicFiles.write(root.resolve(FEED_ID), (id + "\n").getBytes(StandardCharsets.US_ASCII));
        return id;
    }

    private static String newFeedId() {
        byte[] random = new byte[10];
        new SecureRandom().nextBytes(random);
        return "feed-" + HexFormat.of().formatHex(random);
    }

    /**
     * The feed's id; a repository made before feeds had ids gets one at its first use here, kept from then on (its
     * hosts kept serials per URL until then, and count them as floors for it).
     */
    public String feedId() throws IOException {
        requireRepository();
        Path file = root.resolve(FEED_ID);
        if (!Files.exists(file)) {
            String id = newFeedId();
            AtomicFiles.write(file, (id + "\n").getBytes(StandardCharsets.US_ASCII));
            return id;
        }
        String id = new String(RegularFiles.read(file, 128, RegularFiles.Links.REFUSE), StandardCharsets.US_ASCII)
                .strip();
        if (!FeedIndex.isFeedId(id)) {
            throw new PublishException(file + " does not hold a feed id");
        }
        return id;
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
            if (!BundleEntry.CVE_ID.matcher(cve).matches()) {
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
                    spec.effectiveVersion().orElse(null), spec.functions(), targets,
                    Map.of(spec.channel(), now().toString()), buildIdOf(module));
        } catch (IllegalArgumentException e) {
            throw new PublishException(module + ": " + e.getMessage(), e);
        }
        if (Files.exists(revokedFile(entry.id()))) {
            throw new PublishException(module + " is bundle " + entry.id() + ", which was revoked; a revoked bundle is "
                    + "never published again");
        }
        AtomicFiles.write(root.resolve(entry.blobPath()), data);
        AtomicFiles.write(bundleFile(entry.id()), CanonicalJson.write(entry));
        return entry;
    }

    /** The module file's GNU build-id, which the kernel shows for it once loaded; none for a file that is no ELF. */
    private static String buildIdOf(Path module) throws IOException {
        try {
            return ElfFile.read(module).gnuBuildId().orElse(null);
        } catch (ElfFormatException e) {
            return null;
        }
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
                entries.add(RepositoryJson.read(file, BundleEntry.class));
            }
        }
        entries.sort(Comparator.comparing(BundleEntry::id));
        return entries;
    }

    /** Puts bundle {@code id} in {@code channel} from now on (it stays in the channels it was in). */
    public BundleEntry promote(String id, String channel) throws IOException {
        BundleEntry entry = bundle(id);
        if (entry.channelTimes().containsKey(channel)) {
            throw new PublishException("bundle " + id + " is in channel " + channel + " already (since "
                    + entry.channelTimes().get(channel) + ")");
        }
        BundleEntry promoted;
        try {
            promoted = entry.inChannel(channel, now());
        } catch (IllegalArgumentException e) {
            throw new PublishException(e.getMessage(), e);
        }
        AtomicFiles.write(bundleFile(id), CanonicalJson.write(promoted));
        return promoted;
    }

    /**
     * Withdraws bundle {@code idOrModule} (or every bundle of that module) for {@code reason}: its manifest leaves
     * the bundle list and the next signed index lists it as revoked. Returns the revocations.
     */
    public List<Revocation> revoke(String idOrModule, String reason) throws IOException {
        List<BundleEntry> matching = bundles().stream()
                .filter(b -> b.id().equals(idOrModule) || b.module().equals(idOrModule)).toList();
        if (matching.isEmpty()) {
            throw new PublishException("no bundle or module named " + idOrModule + " in " + root);
        }
        Files.createDirectories(root.resolve(REVOKED));
        List<Revocation> revoked = new ArrayList<>();
        for (BundleEntry entry : matching) {
            Revocation revocation;
            try {
                revocation = Revocation.of(entry, reason, now().toString());
            } catch (IllegalArgumentException e) {
                throw new PublishException(e.getMessage(), e);
            }
            AtomicFiles.write(revokedFile(entry.id()), CanonicalJson.write(revocation));
            Files.delete(bundleFile(entry.id()));
            revoked.add(revocation);
        }
        return revoked;
    }

    /** Every revocation recorded, by bundle id. */
    public List<Revocation> revocations() throws IOException {
        requireRepository();
        List<Revocation> revoked = new ArrayList<>();
        if (!Files.isDirectory(root.resolve(REVOKED))) {
            return revoked;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(REVOKED), "*.json")) {
            for (Path file : files) {
                revoked.add(RepositoryJson.read(file, Revocation.class));
            }
        }
        revoked.sort(Comparator.comparing(Revocation::bundle));
        return revoked;
    }

    /**
     * Retires {@code old} for {@code next}; the index signed by both is written at once, so hosts learn it. The new
     * key set is kept only once that index is written.
     */
    public FeedIndex rotateKey(SigningKey old, SigningKey next, Duration validFor) throws IOException {
        requireRepository();
        FeedKeySet rotated = FeedKeySet.read(root).rotate(old, next);
        FeedIndex index = sign(List.of(old, next), validFor, rotated);
        rotated.write(root);
        return index;
    }

    /** Retires key {@code keyId} outright; the next index, signed by a current key, tells hosts. */
    public FeedKeySet revokeKey(String keyId) throws IOException {
        requireRepository();
        if (!FeedIndex.isKeyId(keyId)) {
            throw new PublishException("'" + keyId + "' is not a key id (16 hex digits, as 'repo keygen' prints it)");
        }
        FeedKeySet keys = FeedKeySet.read(root).revoke(keyId);
        keys.write(root);
        return keys;
    }

    /** Writes a new index with the next serial, signed by {@code key}; the signature file goes first. */
    public FeedIndex sign(SigningKey key, Duration validFor) throws IOException {
        return sign(List.of(key), validFor);
    }

    /** Writes a new index with the next serial, signed by every one of {@code keys}; the signatures go first. */
    public FeedIndex sign(List<SigningKey> keys, Duration validFor) throws IOException {
        return sign(keys, validFor, FeedKeySet.read(root));
    }

    private FeedIndex sign(List<SigningKey> keys, Duration validFor, FeedKeySet keySet) throws IOException {
        keySet.checkSigners(keys);
        Instant now = now();
        List<BundleEntry> bundles = published(now);
        FeedIndex index;
        try {
            index = FeedIndex.of(previousSerial() + 1, now, now.plus(validFor), feedId(), bundles, revocations(),
                    keySet.keys(), keySet.retired());
        } catch (IllegalArgumentException e) {
            throw new PublishException("cannot sign " + root + ": " + e.getMessage(), e);
        }
        byte[] indexBytes = CanonicalJson.write(index);
        List<IndexSignature> signatures = new ArrayList<>();
        for (SigningKey key : keys) {
            byte[] sig = Ed25519Keys.sign(key.privateKey(), indexBytes);
            signatures.add(new IndexSignature(key.keyId(), Base64.getEncoder().encodeToString(sig)));
        }
        AtomicFiles.write(root.resolve("index.json.sig"), CanonicalJson.write(new SignatureFile(signatures)));
        AtomicFiles.write(root.resolve("index.json"), indexBytes);
        return index;
    }

    /**
     * Every bundle with its channel times as of this signing ({@link BundleEntry#publishedAt}): a channel entered
     * since the last signed index counts from now. The manifests are kept so.
     */
    private List<BundleEntry> published(Instant now) throws IOException {
        Map<String, BundleEntry> before = new HashMap<>();
        currentIndex().ifPresent(index -> index.bundles().forEach(b -> before.put(b.id(), b)));
        List<BundleEntry> bundles = new ArrayList<>();
        for (BundleEntry entry : bundles()) {
            BundleEntry stamped = entry.publishedAt(before.get(entry.id()), now);
            if (!stamped.equals(entry)) {
                AtomicFiles.write(bundleFile(entry.id()), CanonicalJson.write(stamped));
            }
            bundles.add(stamped);
        }
        return bundles;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private BundleEntry bundle(String id) throws IOException {
        requireRepository();
        Path file = bundleFile(id);
        if (!BundleEntry.isName(id) || !Files.isRegularFile(file)) {
            throw new PublishException("no bundle " + id + " in " + root);
        }
        return RepositoryJson.read(file, BundleEntry.class);
    }

    private Path bundleFile(String id) {
        return root.resolve("bundles").resolve(id + ".json");
    }

    private Path revokedFile(String id) {
        return root.resolve(REVOKED).resolve(id + ".json");
    }

    private long previousSerial() throws IOException {
        return currentIndex().map(FeedIndex::serial).orElse(0L);
    }

    /** The index signed last, which the next one continues (its serial, its channel times). */
    private Optional<FeedIndex> currentIndex() throws IOException {
        return RepositoryJson.readIfPresent(root.resolve("index.json"), FeedIndex.class);
    }

    public Path root() {
        return root;
    }
}
