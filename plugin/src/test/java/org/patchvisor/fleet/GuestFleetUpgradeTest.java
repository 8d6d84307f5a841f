package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.BlobCache;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.rollout.Plan;
import org.patchvisor.rollout.RolloutOptions;
import org.patchvisor.spi.Guest;

/**
 * How the per-guest budget of {@code upgrade --guests} is split between the transition and the revert, and the
 * worker's plan for one guest.
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
                    GuestPatcher.standard());
            RolloutOptions one = new RolloutOptions(0, 1, 0, Duration.ofMinutes(1), List.of(), List.of(), false);
            for (Guest guest : List.of(star, question)) {
                Plan plan = fleet.plan(one, guest);
                assertEquals(1, plan.guestCount(), "only " + guest.name() + " is in its plan: " + plan);
                assertEquals(guest, plan.settled().get(0).guest());
            }
        }
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
