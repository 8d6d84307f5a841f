package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.model.Outcome;
import org.patchvisor.rollout.Plan;
import org.patchvisor.rollout.Report;
import org.patchvisor.rollout.RolloutListener;
import org.patchvisor.rollout.RolloutOptions;
import org.patchvisor.spi.Guest;
import org.patchvisor.time.Ticker;

/**
 * {@code upgrade --guests} in the core over a fake adapter and a real signed feed: which guests it patches and
 * how, how the per-guest budget is split between the transition and the revert, and the worker's plan for one guest.
 */
class GuestFleetUpgradeTest {
    @TempDir
    Path tmp;

    @Test
    void theWorkersPlanForOneGuestHoldsThatGuestAloneWhateverItsNameLooksLike() throws Exception {
        Guest star = new Guest("kvm", "1", "*", Guest.State.RUNNING, Map.of());
        Guest prod = new Guest("kvm", "2", "prod", Guest.State.RUNNING, Map.of());
        Guest question = new Guest("kvm", "3", "pro?", Guest.State.RUNNING, Map.of());
        FakeHypervisor kvm = new FakeHypervisor("kvm", false).with(star, prod, question);
        try (GuestTargets targets = kvm.open()) {
            GuestFleetUpgrade fleet = new GuestFleetUpgrade(targets, new Feed(List.of(), new BlobCache(tmp)),
                    GuestPatcher.standard(), Ticker.SYSTEM);
            RolloutOptions one = new RolloutOptions(0, 1, 0, Duration.ofMinutes(1), List.of(), List.of(), false);
            for (Guest guest : List.of(star, question)) {
                Plan plan = fleet.plan(one, guest);
                assertEquals(1, plan.guestCount(), "only " + guest.name() + " is in its plan: " + plan);
                assertEquals(guest, plan.settled().get(0).guest());
            }
        }
    }

    @Test
    void everyVmGuestIsPatchedThroughItsOwnChannelAndContainersAreLeftToTheHost() throws Exception {
        FakeHypervisor kvm = new FakeHypervisor("kvm", false);
        FakeGuest web1 = kvm.patchable("web1");
        FakeGuest web2 = kvm.patchable("web2");
        kvm.guest("silent");
        FakeHypervisor lxc = new FakeHypervisor("lxc", true);
        lxc.guest("ct1");
        Feed feed = new SampleFeed(tmp).open();
        List<String> heard = new CopyOnWriteArrayList<>();
        Report report;
        try (GuestTargets targets = GuestTargets.open(FakeHypervisor.providers(kvm, lxc), FakeHypervisor.context())) {
            GuestFleetUpgrade fleet = new GuestFleetUpgrade(targets, feed, GuestPatcher.standard(), Ticker.SYSTEM);
            Plan plan = fleet.plan(RolloutOptions.defaults());
            assertEquals(3, plan.guestCount(), "the container is not in the plan: " + plan);
            report = fleet.run(plan, new RolloutListener() {
                @Override
                public void guestFinished(Report.Row row, int done, int total) {
                    heard.add(row.name() + " " + row.state().label());
                }
            });
        }

        Map<String, Outcome> states = new TreeMap<>();
        report.guests().forEach(row -> states.put(row.name(), row.state()));
        assertEquals(Map.of("web1", Outcome.APPLIED, "web2", Outcome.APPLIED,
                "silent", Outcome.UNREACHABLE), states);
        for (FakeGuest guest : List.of(web1, web2)) {
            assertTrue(guest.files.containsKey("/sys/kernel/livepatch/" + SampleFeed.PATCH + "/enabled"));
            assertTrue(guest.writes.contains("/run/patchvisor/" + SampleFeed.PATCH + ".ko"), guest.writes.toString());
        }
        assertTrue(heard.containsAll(List.of("web1 applied", "web2 applied")), heard.toString());
        assertEquals(4, kvm.channelsOpened.get(), "each patched guest entered to identify it, then to patch it");
    }

    @Test
    void theAgentRevertsInsideThePerGuestBudget() {
        assertEquals(Duration.ofSeconds(10), GuestFleetUpgrade.transitionTimeout(Duration.ofSeconds(20)));
        assertEquals(Duration.ofSeconds(570), GuestFleetUpgrade.transitionTimeout(Duration.ofMinutes(10)));
        assertEquals(Duration.ofSeconds(30), GuestFleetUpgrade.transitionTimeout(Duration.ofSeconds(60)));
    }

    @Test
    void aTinyBudgetStillGivesTheTransitionOneSecond() {
        assertEquals(Duration.ofSeconds(1), GuestFleetUpgrade.transitionTimeout(Duration.ofMillis(500)));
        assertEquals(Duration.ofSeconds(1), GuestFleetUpgrade.transitionTimeout(Duration.ZERO));
    }
}
