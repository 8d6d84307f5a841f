package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.feed.ConfigFile;
import org.patchvisor.feed.Feed;
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

    /** The age of the feed is that of its oldest repository index; a feed that cannot be read adds nothing. */
    void feed(Feed feed) {
        try {
            feedCreated = feed.oldestIndexCreated().orElse(null);
        } catch (IOException | RuntimeException e) {
            feedCreated = null;
        }
    }

    Metrics metrics(Instant now) {
        Metrics m = new Metrics();
        for (Outcome state : Outcome.ROLLOUT) {
            guestsByState.putIfAbsent(state.label(), 0);
        }
        guestsByState.forEach((state, n) -> m.gauge("patchvisor_guests", "Guests by the state they ended in.", n,
                "run", job, "state", state));
        appliedByTarget.forEach((target, n) -> m.gauge("patchvisor_patches_applied",
                "Live patches applied, per target (host:<kernel> or a guest name).", n, "run", job, "target", target));
        if (lastSuccess != null) {
            m.gauge("patchvisor_last_success_timestamp_seconds", "When this job last finished without failure.",
                    lastSuccess.getEpochSecond(), "run", job);
        }
        if (feedCreated != null) {
            m.gauge("patchvisor_feed_age_seconds", "Age of the oldest verified feed index at the last run.",
                    Math.max(0, now.getEpochSecond() - feedCreated.getEpochSecond()), "run", job);
        }
        return m;
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
            return lines.filter(l -> l.startsWith("patchvisor_last_success_timestamp_seconds"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(v -> v.matches("[0-9]+"))
                    .map(v -> Instant.ofEpochSecond(Long.parseLong(v)))
                    .findFirst();
        }
    }
}
