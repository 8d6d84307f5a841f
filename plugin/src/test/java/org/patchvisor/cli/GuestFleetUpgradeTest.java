package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the per-guest budget of {@code upgrade --guests} is split between the transition and the revert. */
class GuestFleetUpgradeTest {
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
