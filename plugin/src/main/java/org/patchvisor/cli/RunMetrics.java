package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.feed.Feed;
import org.patchvisor.metrics.MetricNames;
import org.patchvisor.metrics.Metrics;
import org.patchvisor.metrics.MetricsFile;
import org.patchvisor.model.Outcome;
import org.patchvisor.rollout.Report;

/**
 * The figures upgrade, upgrade --guests and the worker leave for Prometheus: guests per final state, patches
 * applied per target, when the last run succeeded and how old the feed's index was. Where they go comes from
 * {@code --metrics-file} or the config key {@code metrics-file}; without either nothing is written.
 */
final class RunMetrics {
    /** The config key naming the metrics file. */
    static final String CONFIG_KEY = "metrics-file";
    private final String job;
    private final Map<String, Integer> guestsByState = new TreeMap<>();
    private final Map<String, Integer> appliedByTarget = new TreeMap<>();
    private Instant lastSuccess;
    private Instant feedCreated;
    private Instant feedExpires;
    private final Map<String, Set<String>> fixedByTarget = new TreeMap<>();
    private final Map<String, Integer> pendingByTarget = new TreeMap<>();
    private final Map<String, Integer> revokedByTarget = new TreeMap<>();
    private final Map<String, Instant> lastPatchedByGuest = new TreeMap<>();

    RunMetrics(String job) {
        this.job = job;
    }

    /** The configured metrics path (option first, then the config key), if any. */
    static Optional<Path> configured(Path option, Path config) throws IOException {
        if (option != null) {
            return Optional.of(option);
        }
        if (!Files.isRegularFile(config)) {
            return Optional.empty();
        }
        return ConfigFile.read(config).single(CONFIG_KEY).map(Path::of);
    }

    void guest(String name, Outcome state) {
        guestsByState.merge(state.label(), 1, Integer::sum);
        if (state == Outcome.APPLIED) {
            appliedByTarget.merge(name, 1, Integer::sum);
        }
    }

    void report(Report report) {
        report.guests().forEach(row -> guest(row.name(), row.state()));
    }

    void hostApplied(String kernel) {
        appliedByTarget.merge("host:" + kernel, 1, Integer::sum);
    }

    void success(Instant at) {
        lastSuccess = at;
    }

    /** The age and expiry of the run's verified index; a feed that cannot be read adds nothing. */
    void feed(Feed feed) {
        try {
            feedCreated = feed.oldestIndexCreated().orElse(null);
            feedExpires = feed.index().index().expiresAt();
        } catch (IOException | RuntimeException e) {
            feedCreated = null;
            feedExpires = null;
        }
    }

    /**
     * What one target has fixed, what the feed still offers it and how many loaded patches the feed revoked; for a
     * guest, when it was last patched.
     */
    void cves(CveTarget target) {
        fixedByTarget.put(target.target(), target.fixed());
        // Bundles this host's channel, delay or level holds back on purpose are not counted as pending.
        pendingByTarget.put(target.target(), (int) target.pending().stream().filter(p -> !p.held()).count());
        revokedByTarget.put(target.target(), (int) target.patches().stream().filter(CveTarget.PatchInForce::revoked)
                .count());
        if (target.guest() && target.lastPatched() != null) {
            lastPatchedByGuest.put(target.target(), target.lastPatched());
        }
    }

    Metrics metrics(Instant now) {
        Metrics m = new Metrics();
        for (Outcome state : Outcome.ROLLOUT) {
            guestsByState.putIfAbsent(state.label(), 0);
        }
        guestsByState.forEach((state, n) -> m.gauge(MetricNames.GUESTS, "Guests by the state they ended in.", n,
                "run", job, "state", state));
        appliedByTarget.forEach((target, n) -> m.gauge(MetricNames.PATCHES_APPLIED,
                "Live patches applied, per target (host:<kernel> or a guest name).", n, "run", job, "target", target));
        if (lastSuccess != null) {
            m.gauge(MetricNames.LAST_SUCCESS, "When this job last finished without failure.",
                    lastSuccess.getEpochSecond(), "run", job);
        }
        if (feedCreated != null) {
            m.gauge(MetricNames.FEED_AGE, "Age of the verified feed index at the last run.",
                    Math.max(0, now.getEpochSecond() - feedCreated.getEpochSecond()), "run", job);
        }
        if (feedExpires != null) {
            m.gauge(MetricNames.FEED_EXPIRY, "When the verified feed index expires.", feedExpires.getEpochSecond(),
                    "run", job);
        }
        fixedByTarget.forEach((target, cves) -> cves.forEach(cve -> m.gauge(MetricNames.CVE_FIXED,
                "1 for each CVE a live patch in force fixes on the target.", 1, "run", job, "target", target,
                "cve", cve)));
        pendingByTarget.forEach((target, n) -> m.gauge(MetricNames.CVES_PENDING,
                "CVEs the feed offers for the target's kernel that are not fixed there yet.", n, "run", job,
                "target", target));
        revokedByTarget.forEach((target, n) -> m.gauge(MetricNames.REVOKED_IN_USE,
                "Loaded live patches the feed revoked, after the run.", n, "run", job, "target", target));
        lastPatchedByGuest.forEach((guest, at) -> m.gauge(MetricNames.GUEST_LAST_PATCHED,
                "When the guest was last seen patched.", at.getEpochSecond(), "run", job, "guest", guest));
        return m;
    }

    /**
     * Forgets the figures of the run that was written, keeping when the job last succeeded: the worker writes after
     * every pass, and a guest's state belongs to the pass that handled it, not to every pass after.
     */
    void nextRun() {
        guestsByState.clear();
        appliedByTarget.clear();
        fixedByTarget.clear();
        pendingByTarget.clear();
        revokedByTarget.clear();
        lastPatchedByGuest.clear();
    }

    void write(Optional<Path> configured, Instant now) throws IOException {
        if (configured.isPresent()) {
            Path file = MetricsFile.forJob(configured.get(), job);
            if (lastSuccess == null) {
                lastSuccess = previousSuccess(file).orElse(null);
            }
            MetricsFile.write(file, metrics(now));
        }
    }

    /** A failed run keeps the last success the previous file recorded, so "too long since success" alerts work. */
    private static Optional<Instant> previousSuccess(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(MetricNames.LAST_SUCCESS))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(v -> v.matches("[0-9]+"))
                    .map(v -> Instant.ofEpochSecond(Long.parseLong(v)))
                    .findFirst();
        }
    }
}
