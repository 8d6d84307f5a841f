package org.patchvisor.rollout;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;

/**
 * Turns a list of guests into a {@link Plan}: drops the guests that are not targets, asks each remaining guest
 * for its kernel (at most {@code maxParallel} at once), groups them by kernel, asks the feed once per kernel,
 * then orders the targets into a canary wave and one wave per policy rollout group. A guest whose kernel has no
 * bundle is settled as having none, unless it carries a revoked patch: then it is a target, to have that removed.
 */
final class Planner {
    static final String CANARY = "canary";
    static final String DEFAULT_WAVE = "default";
    private static final Comparator<Guest> BY_NAME = Comparator.comparing(Guest::name).thenComparing(Guest::id);

    private final KernelProbe probe;
    private final BundleSource source;
    private final Predicate<Guest> holdsRevoked;

    Planner(KernelProbe probe, BundleSource source, Predicate<Guest> holdsRevoked) {
        this.probe = probe;
        this.source = source;
        this.holdsRevoked = holdsRevoked;
    }

    Plan plan(List<Guest> guests, RolloutOptions options) throws IOException, InterruptedException {
        List<Guest> sorted = guests.stream().sorted(BY_NAME).toList();
        List<Plan.Settled> settled = new ArrayList<>();
        List<Guest> selected = new ArrayList<>();
        Selection selection = new Selection(options);
        for (Guest guest : sorted) {
            Optional<String> why = selection.whyNot(guest);
            if (why.isPresent()) {
                settled.add(new Plan.Settled(guest, null, null, Outcome.SKIPPED, why.get()));
            } else {
                selected.add(guest);
            }
        }

        Map<KernelKey, List<Guest>> byKernel = new LinkedHashMap<>();
        Map<KernelKey, KernelId> kernels = new LinkedHashMap<>();
        List<KernelOrFailure> probed = probeAll(selected, options.maxParallel());
        for (int i = 0; i < selected.size(); i++) {
            KernelOrFailure answer = probed.get(i);
            if (answer.kernel == null) {
                settled.add(new Plan.Settled(selected.get(i), null, null, Outcome.UNREACHABLE, answer.failure));
                continue;
            }
            KernelKey key = KernelKey.of(answer.kernel);
            kernels.putIfAbsent(key, answer.kernel);
            byKernel.computeIfAbsent(key, k -> new ArrayList<>()).add(selected.get(i));
        }

        List<Plan.KernelGroup> groups = new ArrayList<>();
        Map<Plan.KernelGroup, List<Guest>> members = new LinkedHashMap<>();
        for (Map.Entry<KernelKey, List<Guest>> entry : byKernel.entrySet()) {
            KernelId kernel = kernels.get(entry.getKey());
            Optional<BundleEntry> bundle = source.bundleFor(kernel);
            Plan.KernelGroup group = new Plan.KernelGroup(entry.getKey(), kernel, bundle, entry.getValue().size());
            groups.add(group);
            members.put(group, entry.getValue());
        }
        groups.sort(Comparator.comparing((Plan.KernelGroup g) -> g.kernel().release()).thenComparing(g -> g.key().value()));

        List<Plan.Target> targets = new ArrayList<>();
        for (Plan.KernelGroup group : groups) {
            for (Guest guest : members.get(group)) {
                if (group.bundle().isPresent() || holdsRevoked.test(guest)) {
                    targets.add(new Plan.Target(guest, group));
                } else {
                    settled.add(new Plan.Settled(guest, group.kernel().release(), null, Outcome.NO_PATCH,
                            "no bundle in the feed for kernel " + group.describeKernel()));
                }
            }
        }
        settled.sort(Comparator.comparing(Plan.Settled::guest, BY_NAME));
        return new Plan(options, groups, waves(targets, options.canary()), settled);
    }

    /** The canary wave first, then one wave per rollout group: "canary" leftovers, named groups, the rest. */
    static List<Plan.Wave> waves(List<Plan.Target> targets, int canaryCount) {
        List<Plan.Target> canaries = chooseCanaries(targets, canaryCount);
        Map<String, List<Plan.Target>> byGroup = new TreeMap<>(Comparator
                .comparing((String name) -> !name.equals(CANARY))
                .thenComparing((String name) -> name.equals(DEFAULT_WAVE))
                .thenComparing(Comparator.naturalOrder()));
        java.util.Set<Plan.Target> chosen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        chosen.addAll(canaries);
        for (Plan.Target target : targets) {
            if (!chosen.contains(target)) {
                byGroup.computeIfAbsent(rolloutGroup(target.guest()), g -> new ArrayList<>()).add(target);
            }
        }
        List<Plan.Wave> waves = new ArrayList<>();
        if (!canaries.isEmpty()) {
            waves.add(new Plan.Wave(CANARY, true, canaries));
        }
        for (Map.Entry<String, List<Plan.Target>> entry : byGroup.entrySet()) {
            List<Plan.Target> wave = new ArrayList<>(entry.getValue());
            wave.sort(Comparator.comparing(Plan.Target::guest, BY_NAME));
            waves.add(new Plan.Wave(entry.getKey(), false, wave));
        }
        return waves;
    }

    /**
     * Guests in the "canary" rollout group first (by name), then one guest per kernel group in turn, so the
     * canaries try as many different bundles as the count allows.
     */
    private static List<Plan.Target> chooseCanaries(List<Plan.Target> targets, int count) {
        List<Plan.Target> canaries = new ArrayList<>();
        targets.stream().filter(t -> rolloutGroup(t.guest()).equals(CANARY))
                .sorted(Comparator.comparing(Plan.Target::guest, BY_NAME))
                .limit(count).forEach(canaries::add);
        Map<KernelKey, Deque<Plan.Target>> rest = new LinkedHashMap<>();
        for (Plan.Target target : targets) {
            if (!rolloutGroup(target.guest()).equals(CANARY)) {
                rest.computeIfAbsent(target.group().key(), k -> new ArrayDeque<>()).add(target);
            }
        }
        while (canaries.size() < count && !rest.isEmpty()) {
            var queues = rest.values().iterator();
            while (queues.hasNext() && canaries.size() < count) {
                Deque<Plan.Target> queue = queues.next();
                canaries.add(queue.poll());
                if (queue.isEmpty()) {
                    queues.remove();
                }
            }
        }
        return canaries;
    }

    static String rolloutGroup(Guest guest) {
        String group = guest.policy().getOrDefault("group", "").trim();
        return group.isEmpty() ? DEFAULT_WAVE : group;
    }

    private List<KernelOrFailure> probeAll(List<Guest> guests, int parallel) throws InterruptedException {
        if (guests.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Workers.pool("patchvisor-probe", Math.min(parallel, guests.size()));
        try {
            List<Callable<KernelOrFailure>> calls = new ArrayList<>(guests.size());
            for (Guest guest : guests) {
                calls.add(() -> probeOne(guest));
            }
            List<KernelOrFailure> answers = new ArrayList<>(guests.size());
            for (Future<KernelOrFailure> future : pool.invokeAll(calls)) {
                answers.add(get(future));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private KernelOrFailure probeOne(Guest guest) throws InterruptedException {
        try {
            KernelId kernel = probe.kernelOf(guest);
            if (kernel == null) {
                return new KernelOrFailure(null, "the guest did not say which kernel it runs");
            }
            return new KernelOrFailure(kernel, null);
        } catch (IOException | RuntimeException e) {
            return new KernelOrFailure(null, "cannot identify its kernel: " + Workers.describe(e));
        }
    }

    private static KernelOrFailure get(Future<KernelOrFailure> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("kernel probe failed unexpectedly", e.getCause());
        }
    }

    private record KernelOrFailure(KernelId kernel, String failure) {
    }

    /** Which guests are targets at all, and in words why the others are not. */
    private static final class Selection {
        private final List<Pattern> only;
        private final List<String> excludeText;
        private final List<Pattern> exclude;

        Selection(RolloutOptions options) {
            this.only = options.only().stream().map(NamePattern::compile).toList();
            this.excludeText = options.exclude();
            this.exclude = options.exclude().stream().map(NamePattern::compile).toList();
        }

        Optional<String> whyNot(Guest guest) {
            if (guest.optedOut()) {
                return Optional.of("opted out by policy");
            }
            if (!only.isEmpty() && only.stream().noneMatch(p -> p.matcher(guest.name()).matches())) {
                return Optional.of("not selected by --only");
            }
            for (int i = 0; i < exclude.size(); i++) {
                if (exclude.get(i).matcher(guest.name()).matches()) {
                    return Optional.of("excluded by --exclude " + excludeText.get(i));
                }
            }
            if (!guest.running()) {
                return Optional.of("not running (" + guest.state().label() + ")");
            }
            return Optional.empty();
        }
    }
}
