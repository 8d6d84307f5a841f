package org.patchvisor.feed;

import java.io.IOException;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.patchvisor.model.KernelId;

/**
 * What the host side asks of the feed: which bundles exist for a kernel, which of them this host's policy lets it
 * take and why the others wait, the newest cumulative one worth applying, the revoked patches to remove, and a
 * verified module file for a bundle.
 *
 * <p>The configured repositories are mirrors of one feed, tried in order: the first whose index verifies is the one
 * index of the run, and every bundle comes from it (never mixed with another mirror's). A mirror that cannot be
 * reached, or whose index fails a check, is reported as a warning and the next one is tried; the run fails only
 * when none verifies, with the most serious reason (a failed check before an unreachable mirror).
 */
public final class Feed {
    private final List<FeedClient> clients;
    private final BlobCache cache;
    private final FeedPolicy policy;
    private final Clock clock;
    private final Consumer<String> warnings;
    private FeedClient chosen;

    public Feed(List<FeedClient> clients, BlobCache cache, FeedPolicy policy, Clock clock, Consumer<String> warnings) {
        this.clients = List.copyOf(clients);
        this.cache = cache;
        this.policy = policy;
        this.clock = clock;
        this.warnings = warnings;
    }

    /** A feed with no policy of its own (every stable bundle, no delay) and warnings dropped: for tests. */
    public Feed(List<FeedClient> clients, BlobCache cache) {
        this(clients, cache, FeedPolicy.defaults(), Clock.systemUTC(), line -> { });
    }

    /**
     * The feed a host's config describes; {@code env} is the process environment (for proxies), {@code warnings}
     * hears each mirror that was passed over. The config's {@code fetch-timeout}, when given, replaces the one in
     * {@code limits}; it bounds the whole run.
     */
    public static Feed open(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits,
            Consumer<String> warnings) throws FeedConfigException {
        return open(config, env, clock, limits, new FileFeedStateStore(config.stateDir()), warnings);
    }

    /**
     * The same feed for a dry run: indexes are verified against what this host remembers (a replayed index is still
     * refused), but nothing new is recorded, so looking changes nothing in the state directory.
     */
    public static Feed openReadOnly(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits,
            Consumer<String> warnings) throws FeedConfigException {
        return open(config, env, clock, limits, FeedStateStore.readOnly(new FileFeedStateStore(config.stateDir())),
                warnings);
    }

    private static Feed open(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits,
            FeedStateStore state, Consumer<String> warnings) throws FeedConfigException {
        ProxySelector proxies = EnvProxySelector.create(config.proxy(), env);
        IndexVerifier verifier = new IndexVerifier(TrustedKeys.parse(config.trustedKeys()), clock,
                config.repositories());
        FetchLimits effective = config.fetchTimeout().map(limits::withFetchTimeout).orElse(limits);
        FetchBudget budget = FetchBudget.of(effective); // one for the whole run, over every mirror
        List<FeedClient> clients = new ArrayList<>();
        for (String repository : config.repositories()) {
            clients.add(new FeedClient(repository, FeedTransports.open(repository, proxies, effective, budget),
                    verifier, state, effective, config.repositories()));
        }
        return new Feed(clients, new BlobCache(config.stateDir()), config.policy(), clock, warnings);
    }

    /** The one verified index of this run: the first mirror, in config order, whose index passes every check. */
    public synchronized FeedClient.VerifiedIndex index() throws IOException {
        if (chosen != null) {
            return chosen.verifiedIndex();
        }
        if (clients.isEmpty()) {
            throw new FeedUnreachableException("no repository is configured");
        }
        List<FeedException> failures = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            FeedClient client = clients.get(i);
            try {
                FeedClient.VerifiedIndex verified = client.verifiedIndex();
                chosen = client;
                return verified;
            } catch (FeedException e) {
                failures.add(e);
                if (i + 1 < clients.size()) {
                    warnings.accept("mirror " + client.repository() + " passed over: " + e.getMessage());
                }
            }
        }
        throw failures.stream().filter(e -> !(e instanceof FeedUnreachableException) && !(e instanceof
                DownloadTimeoutException)).findFirst().orElse(failures.get(failures.size() - 1));
    }

    /** When the verified index of this run was created. */
    public Optional<Instant> oldestIndexCreated() throws IOException {
        return Optional.of(index().index().createdAt());
    }

    /** Every bundle the index lists for exactly this kernel (by build-id when both sides know it), none revoked. */
    public List<BundleEntry> available(KernelId kernel) throws IOException {
        FeedClient.VerifiedIndex verified = index();
        Set<String> revoked = verified.state().revoked().keySet();
        return verified.index().bundles().stream()
                .filter(entry -> entry.targets(kernel) && !revoked.contains(entry.sha256()))
                .toList();
    }

    /** The bundles for this kernel this host's policy leaves out now, each with its reason, in index order. */
    public Map<BundleEntry, String> heldBack(KernelId kernel) throws IOException {
        Instant created = index().index().createdAt();
        Instant now = clock.instant();
        Map<BundleEntry, String> held = new LinkedHashMap<>();
        for (BundleEntry entry : available(kernel)) {
            policy.holdsBack(entry, created, now).ifPresent(reason -> held.put(entry, reason));
        }
        return held;
    }

    /** The bundles for this kernel this host may take now. */
    public List<BundleEntry> eligible(KernelId kernel) throws IOException {
        Map<BundleEntry, String> held = heldBack(kernel);
        return available(kernel).stream().filter(entry -> !held.containsKey(entry)).toList();
    }

    /**
     * The highest-level cumulative bundle for this kernel this host may take, unless a bundle of that level or
     * higher (or one that replaces it) is already installed. {@code installed} are the loaded live-patch module names.
     */
    public Optional<BundleEntry> newestCumulative(KernelId kernel, Collection<String> installed) throws IOException {
        List<BundleEntry> available = available(kernel);
        Optional<BundleEntry> newest = eligible(kernel).stream()
                .max(Comparator.comparingInt(BundleEntry::cumulativeLevel).thenComparing(BundleEntry::id));
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        BundleEntry candidate = newest.get();
        Set<String> names = Set.copyOf(installed);
        boolean covered = available.stream()
                .filter(entry -> names.contains(entry.module()))
                .anyMatch(entry -> entry.cumulativeLevel() >= candidate.cumulativeLevel()
                        || entry.replaces().contains(candidate.module()));
        return covered || names.contains(candidate.module()) ? Optional.empty() : newest;
    }

    /** Every revocation known: the index's and those this host remembers from any feed. */
    public List<Revocation> revocations() throws IOException {
        return List.copyOf(index().state().revoked().values());
    }

    /**
     * The patches loaded on {@code kernel} that are revoked bundles ({@link RevokedPatches}, the one rule for host
     * and guests); the good bundles that could share a name are this kernel's.
     */
    public List<RevokedPatches.InUse> revokedInUse(KernelId kernel, Collection<String> loaded,
            Map<String, String> buildIds, Map<String, String> recorded) throws IOException {
        return RevokedPatches.find(loaded, buildIds, recorded, revocations(), available(kernel));
    }

    /** A verified module file for a listed bundle, downloaded at most once (then served from the cache). */
    public Path fetch(BundleEntry entry) throws IOException {
        Revocation revoked = index().state().revoked().get(entry.sha256());
        if (revoked != null) {
            throw new RevokedBundleException("bundle " + entry.id() + " was revoked (" + revoked.reason()
                    + "): never applied again");
        }
        FeedClient source = sourceOf(entry).orElseThrow(() ->
                new UnknownBundleException("bundle " + entry.id() + " is not listed in the verified index"));
        Optional<Path> cached = cache.lookup(entry);
        if (cached.isPresent()) {
            return cached.get();
        }
        return cache.store(entry, source.download(entry));
    }

    /** Whether a verified copy of the bundle's module is in the download cache already (read only). */
    public boolean isCached(BundleEntry entry) throws IOException {
        return cachedFile(entry).isPresent();
    }

    /** The verified cached copy of the bundle's module, if it was downloaded before (read only). */
    public Optional<Path> cachedFile(BundleEntry entry) throws IOException {
        return cache.lookup(entry);
    }

    /** The mirror whose verified index lists this bundle: the one index of the run. */
    public Optional<String> repositoryOf(BundleEntry entry) throws IOException {
        return sourceOf(entry).map(FeedClient::repository);
    }

    private Optional<FeedClient> sourceOf(BundleEntry entry) throws IOException {
        index();
        return chosen.listed(entry).isPresent() ? Optional.of(chosen) : Optional.empty();
    }

    /** As {@link #fetch(BundleEntry)}, but first refuses a bundle that was not built for this kernel. */
    public Path fetch(BundleEntry entry, KernelId kernel) throws IOException {
        if (!entry.targets(kernel)) {
            throw new WrongKernelException("bundle " + entry.id() + " targets " + entry.kernels()
                    + ", not this kernel " + kernel.release() + kernel.buildId().map(id -> " (build-id " + id + ")").orElse(""));
        }
        return fetch(entry);
    }
}
