package org.patchvisor.feed;

import java.io.IOException;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.model.KernelId;

/**
 * What the host side asks of the feed: which bundles exist for a kernel, the newest cumulative one worth
 * applying, and a verified module file for a bundle. Every repository's index is verified before any of it is
 * used; a failure in any repository is thrown rather than silently skipped, so a tampered mirror is noticed.
 */
public final class Feed {
    private final List<FeedClient> clients;
    private final BlobCache cache;

    public Feed(List<FeedClient> clients, BlobCache cache) {
        this.clients = List.copyOf(clients);
        this.cache = cache;
    }

    /**
     * The feed a host's config describes; {@code env} is the process environment (for proxies). The config's
     * {@code fetch-timeout}, when given, replaces the one in {@code limits}; it bounds the whole run.
     */
    public static Feed open(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits)
            throws FeedConfigException {
        return open(config, env, clock, limits, new FileSerialStore(config.stateDir()));
    }

    /**
     * The same feed for a dry run: indexes are verified against the serials accepted so far (a replayed index is
     * still refused), but no new serial is recorded, so looking changes nothing in the state directory.
     */
    public static Feed openReadOnly(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits)
            throws FeedConfigException {
        return open(config, env, clock, limits, SerialStore.readOnly(new FileSerialStore(config.stateDir())));
    }

    private static Feed open(FeedConfig config, Map<String, String> env, Clock clock, FetchLimits limits,
            SerialStore serials) throws FeedConfigException {
        ProxySelector proxies = EnvProxySelector.create(config.proxy(), env);
        IndexVerifier verifier = new IndexVerifier(TrustedKeys.parse(config.trustedKeys()), clock);
        FetchLimits effective = config.fetchTimeout().map(limits::withFetchTimeout).orElse(limits);
        FetchBudget budget = FetchBudget.of(effective); // one for the whole run, over every repository
        List<FeedClient> clients = new ArrayList<>();
        for (String repository : config.repositories()) {
            clients.add(new FeedClient(repository, FeedTransports.open(repository, proxies, effective, budget),
                    verifier, serials, effective));
        }
        return new Feed(clients, new BlobCache(config.stateDir()));
    }

    /** When the oldest repository's verified index was created (fetched and verified if not yet). */
    public Optional<java.time.Instant> oldestIndexCreated() throws IOException {
        Optional<java.time.Instant> oldest = Optional.empty();
        for (FeedClient client : clients) {
            java.time.Instant created = client.index().createdAt();
            if (oldest.isEmpty() || created.isBefore(oldest.get())) {
                oldest = Optional.of(created);
            }
        }
        return oldest;
    }

    /** Every bundle, from every repository, built for exactly this kernel (by build-id when both sides know it). */
    public List<BundleEntry> available(KernelId kernel) throws IOException {
        Map<String, BundleEntry> bySha = new LinkedHashMap<>();
        for (FeedClient client : clients) {
            for (BundleEntry entry : client.index().bundles()) {
                if (entry.targets(kernel)) {
                    bySha.putIfAbsent(entry.sha256() + "/" + entry.id(), entry);
                }
            }
        }
        return List.copyOf(bySha.values());
    }

    /**
     * The highest-level cumulative bundle for this kernel, unless a bundle of that level or higher (or one that
     * replaces it) is already installed. {@code installed} are the loaded live-patch module names.
     */
    public Optional<BundleEntry> newestCumulative(KernelId kernel, Collection<String> installed) throws IOException {
        List<BundleEntry> available = available(kernel);
        Optional<BundleEntry> newest = available.stream()
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

    /** A verified module file for a listed bundle, downloaded at most once (then served from the cache). */
    public Path fetch(BundleEntry entry) throws IOException {
        FeedClient source = sourceOf(entry).orElseThrow(() ->
                new UnknownBundleException("bundle " + entry.id() + " is not listed in any verified index"));
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

    /** The first repository (in config order) whose verified index lists this bundle. */
    public Optional<String> repositoryOf(BundleEntry entry) throws IOException {
        return sourceOf(entry).map(FeedClient::repository);
    }

    private Optional<FeedClient> sourceOf(BundleEntry entry) throws IOException {
        for (FeedClient client : clients) {
            if (client.listed(entry).isPresent()) {
                return Optional.of(client);
            }
        }
        return Optional.empty();
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
