package org.patchvisor.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;

class RolloutTest {
    private static final KernelId GENERIC = FakeFleet.kernel("6.1.0-18-amd64", "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44");
    private static final KernelId CLOUD = FakeFleet.kernel("6.1.0-18-cloud-amd64", "0123456789abcdef0123456789abcdef01234567");
    private static final KernelId OLD = FakeFleet.kernel("6.1.0-9-amd64", null);
    private static final RolloutOptions SERIAL = RolloutOptions.defaults()
            .withCanary(0).withMaxParallel(1).withMaxFailures(0).withPerGuestTimeout(Duration.ofSeconds(30));

    private final FakeFleet fleet = new FakeFleet();

    @Test
    void canaryRunsAloneFirstThenEachWaveFinishesBeforeTheNextStarts() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        fleet.offer(CLOUD, "pv-cloud-1");
        List<Guest> guests = new ArrayList<>();
        guests.add(fleet.add(FakeFleet.guest("zeta", Map.of("group", "canary")), CLOUD));
        guests.addAll(fleet.add("web", 6, GENERIC).stream()
                .map(g -> fleet.add(FakeFleet.guest(g.name(), Map.of("group", "web")), GENERIC)).toList());
        guests.addAll(fleet.add("db", 5, CLOUD));
        guests.addAll(fleet.add("misc", 5, GENERIC));
        fleet.stepMillis = 3;

        Rollout rollout = fleet.rollout();
        Plan plan = rollout.plan(guests, SERIAL.withCanary(2).withMaxParallel(4));
        Report report = rollout.execute(plan, fleet, RolloutListener.NONE);

        assertEquals(List.of("canary", "web", "default"), plan.waves().stream().map(Plan.Wave::name).toList());
        List<String> canaries = names(plan.waves().get(0));
        assertEquals("zeta", canaries.get(0), "the guest in the canary group is preferred");
        assertEquals(2, canaries.size());
        assertTrue(canaries.get(1).startsWith("misc"), "the second canary covers the other kernel: " + canaries);
        assertEquals(6, plan.waves().get(1).targets().size());
        assertEquals(17, report.count(Outcome.APPLIED));
        assertWaveBarrier(plan.waves().get(0), plan.waves().get(1));
        assertWaveBarrier(plan.waves().get(1), plan.waves().get(2));
        assertEquals(List.of(), fleet.problems);
    }

    private void assertWaveBarrier(Plan.Wave before, Plan.Wave after) {
        int lastFinish = names(before).stream().mapToInt(fleet.finishedAt::get).max().orElseThrow();
        int firstStart = names(after).stream().mapToInt(fleet.startedAt::get).min().orElseThrow();
        assertTrue(lastFinish < firstStart, "wave " + after.name() + " started before " + before.name() + " finished");
    }

    @Test
    void neverMoreGuestsInFlightThanMaxParallelAndNoThreadPerGuest() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = fleet.add("vm", 300, GENERIC);
        fleet.stepMillis = 2;

        Report report = run(guests, SERIAL.withMaxParallel(7));

        assertEquals(300, report.count(Outcome.APPLIED));
        assertEquals(7, fleet.maxInFlight.get(), "the pool should be filled but never overfilled");
        assertTrue(fleet.workerThreads.size() <= 7, "worker threads: " + fleet.workerThreads);
    }

    @Test
    void haltsAfterMaxFailuresAndReportsTheRestHalted() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = fleet.add("vm", 50, GENERIC);
        for (int i : new int[] {5, 10, 15, 20}) {
            fleet.scripts.put(guests.get(i).name(), job -> new GuestOutcome(Outcome.FAILED_REVERTED,
                    "transition did not finish in 60 s; reverted"));
        }

        Report report = run(guests, SERIAL.withMaxFailures(3));

        assertTrue(report.halted());
        assertEquals("halted after 3 failure(s) (--max-failures 3)", report.haltReason());
        assertEquals(3, report.count(Outcome.FAILED_REVERTED));
        assertEquals(13, report.count(Outcome.APPLIED));
        assertEquals(34, report.count(Outcome.HALTED));
        assertEquals(16, fleet.steps.get(), "no guest is started after the halt");
        Report.Row halted = row(report, "vm-0049");
        assertEquals("not started: halted after 3 failure(s) (--max-failures 3)", halted.reason());
    }

    @Test
    void haltInParallelLetsRunningGuestsFinishAndStartsNoMore() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = fleet.add("vm", 200, GENERIC);
        fleet.stepMillis = 2;
        for (Guest guest : guests.subList(20, 200)) {
            fleet.scripts.put(guest.name(), job -> new GuestOutcome(Outcome.FAILED_REVERTED, "stuck"));
        }

        Report report = run(guests, SERIAL.withMaxParallel(8).withMaxFailures(2));

        assertTrue(report.halted());
        int failed = report.count(Outcome.FAILED_REVERTED);
        assertTrue(failed >= 2 && failed <= 2 + 7, "failures beyond the threshold only from guests in flight: " + failed);
        assertEquals(200, report.guests().size());
        assertEquals(fleet.steps.get(), report.count(Outcome.APPLIED) + failed);
        assertEquals(200 - fleet.steps.get(), report.count(Outcome.HALTED));
    }

    @Test
    void aFailedCanaryHaltsTheRolloutEvenWithoutAFailureLimit() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = fleet.add("vm", 10, GENERIC);
        fleet.scripts.put("vm-0000", job -> new GuestOutcome(Outcome.FAILED_REVERTED, "stuck"));

        Report report = run(guests, SERIAL.withCanary(1).withMaxFailures(0));

        assertEquals("canary vm-0000 ended failed-reverted", report.haltReason());
        assertEquals(9, report.count(Outcome.HALTED));
        assertEquals(1, fleet.steps.get());
    }

    @Test
    void downloadsEachBundleOncePerKernelEvenForAThousandGuests() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        fleet.offer(CLOUD, "pv-cloud-1");
        fleet.offer(OLD, "pv-old-1");
        List<Guest> guests = new ArrayList<>();
        guests.addAll(fleet.add("gen", 500, GENERIC));
        guests.addAll(fleet.add("cld", 300, CLOUD));
        guests.addAll(fleet.add("old", 200, OLD));

        Report report = run(guests, SERIAL.withMaxParallel(16).withCanary(3));

        assertEquals(1000, report.count(Outcome.APPLIED));
        assertEquals(Map.of("pv-generic-1", 1, "pv-cloud-1", 1, "pv-old-1", 1), fleet.downloads.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
        assertEquals(3, fleet.lookups.get(), "the feed is asked once per kernel");
        assertEquals("pv-cloud-1", row(report, "cld-0123").bundle());
        assertEquals("6.1.0-9-amd64", row(report, "old-0007").kernel());
        assertEquals(List.of(), fleet.problems);
    }

    @Test
    void aFailedDownloadFailsItsKernelGroupOnlyAndIsTriedOnce() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        fleet.offer(CLOUD, "pv-cloud-1");
        fleet.failingDownloads.add("pv-cloud-1");
        List<Guest> guests = new ArrayList<>(fleet.add("gen", 20, GENERIC));
        guests.addAll(fleet.add("cld", 20, CLOUD));

        Report report = run(guests, SERIAL.withMaxParallel(4));

        assertEquals(20, report.count(Outcome.APPLIED));
        assertEquals(20, report.count(Outcome.FAILED));
        assertEquals(1, fleet.downloads.get("pv-cloud-1").get());
        assertTrue(row(report, "cld-0003").reason().contains("pv-cloud-1"), row(report, "cld-0003").reason());
        assertTrue(row(report, "cld-0003").reason().contains("HTTP 503"), row(report, "cld-0003").reason());
    }

    @Test
    void exclusionsAreSkippedWithTheirReasonAndNeverAsked() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>(fleet.add("web", 3, GENERIC));
        guests.addAll(fleet.add("db", 3, GENERIC));
        guests.add(fleet.add(FakeFleet.guest("web-pinned", Map.of("opt-out", "true")), GENERIC));
        guests.add(fleet.add(new Guest("fake", "id-off", "web-off", Guest.State.STOPPED, Map.of()), GENERIC));

        Report report = run(guests, SERIAL.withOnly(List.of("web-*", "db-0001")).withExclude(List.of("web-000?")));

        assertEquals(Set.of("db-0001"), names(report, Outcome.APPLIED));
        assertEquals("opted out by policy", row(report, "web-pinned").reason());
        assertEquals("not running (stopped)", row(report, "web-off").reason());
        assertEquals("excluded by --exclude web-000?", row(report, "web-0002").reason());
        assertEquals("not selected by --only", row(report, "db-0000").reason());
        assertEquals(7, report.count(Outcome.SKIPPED));
        assertEquals(1, fleet.probes.get(), "skipped guests are not even asked for their kernel");
    }

    @Test
    void thePlanTextShowsHostileGuestNamesAndGroupsEscaped() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>();
        guests.add(fleet.add(FakeFleet.guest("a\nwave 9 (x): forged", Map.of("group", "g\u001b[2J")), GENERIC));
        guests.add(fleet.add(FakeFleet.guest("b\u202ekcilc", Map.of()), OLD));

        Plan plan = fleet.rollout().plan(guests, SERIAL.withDryRun(true));
        String text = PlanText.render(plan);

        assertTrue(text.contains("wave 1 (g\\x1b[2J, 1 guest(s)): a\\x0awave 9 (x): forged\n"), text);
        assertTrue(text.contains("not patched: b\\u202ekcilc no-patch"), text);
        assertFalse(text.chars().anyMatch(c -> (c < 0x20 && c != '\n') || c == 0x202e), text);
    }

    @Test
    void dryRunPrintsThePlanAndTouchesNothing() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>(fleet.add("gen", 4, GENERIC));
        guests.addAll(fleet.add("old", 2, OLD));
        guests.add(fleet.add(FakeFleet.guest("canary-vm", Map.of("group", "canary")), GENERIC));

        Rollout rollout = fleet.rollout();
        Plan plan = rollout.plan(guests, SERIAL.withCanary(1).withDryRun(true));
        Report report = rollout.execute(plan, fleet, RolloutListener.NONE);
        String text = PlanText.render(plan);

        assertEquals(0, fleet.steps.get());
        assertTrue(fleet.downloads.isEmpty());
        assertTrue(report.dryRun());
        assertEquals(5, report.count(Outcome.PLANNED));
        assertEquals(2, report.count(Outcome.NO_PATCH));
        assertEquals("dry run: would apply pv-generic-1 in wave canary", row(report, "canary-vm").reason());
        assertTrue(text.contains("kernel 6.1.0-18-amd64 (build-id aa11bb22cc33): bundle pv-generic-1 (level 1, pv_generic_1), 5 guest(s)"), text);
        assertTrue(text.contains("kernel 6.1.0-9-amd64: no bundle, 2 guest(s)"), text);
        assertTrue(text.contains("canary wave 1 (canary, 1 guest(s)): canary-vm"), text);
        assertTrue(text.contains("wave 2 (default, 4 guest(s)): gen-0000 gen-0001 gen-0002 gen-0003"), text);
        assertTrue(text.contains("not patched: old-0000 no-patch (no bundle in the feed for kernel 6.1.0-9-amd64)"), text);
    }

    @Test
    void everyStateIsReachableAndEveryGuestHasExactlyOneRow() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>();
        scripted(guests, "a-applied", job -> new GuestOutcome(Outcome.APPLIED, "enabled, transition done"));
        guests.add(fleet.add(FakeFleet.guest("a-revoked"), OLD));
        fleet.revoked.add("a-revoked");
        scripted(guests, "b-already", job -> new GuestOutcome(Outcome.ALREADY_PATCHED, "pv_generic_1 loaded"));
        scripted(guests, "c-refused", job -> new GuestOutcome(Outcome.REFUSED, "sig_enforce is Y"));
        scripted(guests, "d-reverted", job -> new GuestOutcome(Outcome.FAILED_REVERTED, "stuck; reverted"));
        scripted(guests, "e-agent-gone", job -> {
            throw new GuestUnreachableException("agent stopped answering");
        });
        scripted(guests, "f-slow", job -> {
            fleet.ticker.sleep(Duration.ofMinutes(1)); // a minute passes in the guest...
            Thread.sleep(60_000); // ...and it still has not answered when the watch sees that
            return new GuestOutcome(Outcome.APPLIED, null);
        });
        scripted(guests, "g-broken", job -> {
            throw new IOException("guest-file-write: disk full");
        });
        scripted(guests, "h-nopatch-by-guest", job -> new GuestOutcome(Outcome.NO_PATCH, "kernel changed"));
        scripted(guests, "i-late", job -> new GuestOutcome(Outcome.APPLIED, null));
        guests.add(fleet.add(FakeFleet.guest("j-old"), OLD));
        Guest silent = fleet.add(FakeFleet.guest("k-silent"), GENERIC);
        fleet.silent.add(silent.name());
        guests.add(silent);
        guests.add(fleet.add(FakeFleet.guest("l-opted", Map.of("opt-out", "true")), GENERIC));

        Report report = run(guests, SERIAL.withMaxFailures(3).withPerGuestTimeout(Duration.ofMillis(300)));

        Map<String, Outcome> states = report.guests().stream()
                .collect(Collectors.toMap(Report.Row::name, Report.Row::state));
        assertEquals(Map.ofEntries(
                Map.entry("a-applied", Outcome.APPLIED),
                Map.entry("a-revoked", Outcome.REVOKED_REMOVED),
                Map.entry("b-already", Outcome.ALREADY_PATCHED),
                Map.entry("c-refused", Outcome.REFUSED),
                Map.entry("d-reverted", Outcome.FAILED_REVERTED),
                Map.entry("e-agent-gone", Outcome.UNREACHABLE),
                Map.entry("f-slow", Outcome.TIMED_OUT),
                Map.entry("g-broken", Outcome.FAILED),
                Map.entry("h-nopatch-by-guest", Outcome.HALTED),
                Map.entry("i-late", Outcome.HALTED),
                Map.entry("j-old", Outcome.NO_PATCH),
                Map.entry("k-silent", Outcome.UNREACHABLE),
                Map.entry("l-opted", Outcome.SKIPPED)), states);
        assertEquals(13, report.guests().size());
        Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
        seen.addAll(states.values());
        seen.add(Outcome.PLANNED); // dry run only: see dryRunPrintsThePlanAndTouchesNothing
        assertEquals(Outcome.ROLLOUT, seen);
        Report.Row slow = row(report, "f-slow");
        assertTrue(slow.reason().startsWith("no outcome within the per-guest timeout of 300 ms"), slow.reason());
        assertEquals(60_000, slow.ms(), "measured on the rollout's ticker");
        assertTrue(row(report, "k-silent").reason().contains("guest agent not connected"));
        assertEquals("guest-file-write: disk full", row(report, "g-broken").reason());
        assertNull(row(report, "l-opted").kernel());
        assertEquals(List.of(), fleet.problems, "the timeout's interrupt must not leak into the next guest");
    }

    @Test
    void aStepThatReturnsAfterItsTimeoutKeepsItsOutcomeWithANote() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>();
        scripted(guests, "stubborn", job -> {
            fleet.ticker.sleep(Duration.ofMillis(200));
            return new GuestOutcome(Outcome.APPLIED, "verified");
        });

        Report report = run(guests, SERIAL.withPerGuestTimeout(Duration.ofMillis(50)));

        Report.Row row = row(report, "stubborn");
        assertEquals(Outcome.APPLIED, row.state());
        assertEquals("verified; finished after the per-guest timeout", row.reason());
    }

    @Test
    void theTimeoutPassesOnTheRolloutsTickerNotTheWallClock() throws Exception {
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>();
        scripted(guests, "slow-for-real", job -> {
            Thread.sleep(100); // longer than the timeout below, but the ticker does not move
            return new GuestOutcome(Outcome.APPLIED, "verified");
        });

        Report report = run(guests, SERIAL.withPerGuestTimeout(Duration.ofMillis(20)));

        Report.Row row = row(report, "slow-for-real");
        assertEquals(Outcome.APPLIED, row.state());
        assertEquals("verified", row.reason());
        assertEquals(0, row.ms());
    }

    @Test
    void planningAsksTheFeedOncePerKernelAndKeysByBuildIdBeforeRelease() throws Exception {
        KernelId rebuilt = FakeFleet.kernel(GENERIC.release(), "ffffffffffffffffffffffffffffffffffffffff");
        fleet.offer(GENERIC, "pv-generic-1");
        List<Guest> guests = new ArrayList<>(fleet.add("a", 3, GENERIC));
        guests.addAll(fleet.add("b", 2, rebuilt));

        Plan plan = fleet.rollout().plan(guests, SERIAL);

        assertEquals(2, plan.groups().size(), "same release, different build-ids: two kernels");
        assertEquals(2, fleet.lookups.get());
        assertEquals(List.of(3, 2), plan.groups().stream().map(Plan.KernelGroup::guests).sorted((x, y) -> y - x).toList());
    }

    private void scripted(List<Guest> guests, String name, GuestStep script) {
        guests.add(fleet.add(FakeFleet.guest(name), GENERIC));
        fleet.scripts.put(name, script);
    }

    private Report run(List<Guest> guests, RolloutOptions options) throws Exception {
        Rollout rollout = fleet.rollout();
        Report report = rollout.execute(rollout.plan(guests, options), fleet, RolloutListener.NONE);
        assertEquals(guests.size(), report.guests().size(), "one row per guest");
        assertEquals(guests.size(), new HashSet<>(report.guests().stream().map(Report.Row::name).toList()).size());
        assertEquals(guests.size(), report.totals().values().stream().mapToInt(Integer::intValue).sum());
        assertFalse(Thread.currentThread().isInterrupted());
        return report;
    }

    private static Report.Row row(Report report, String name) {
        return report.guests().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static Set<String> names(Report report, Outcome state) {
        return report.guests().stream().filter(r -> r.state() == state).map(Report.Row::name).collect(Collectors.toSet());
    }

    private static List<String> names(Plan.Wave wave) {
        return wave.targets().stream().map(t -> t.guest().name()).map(Function.identity()).toList();
    }
}
