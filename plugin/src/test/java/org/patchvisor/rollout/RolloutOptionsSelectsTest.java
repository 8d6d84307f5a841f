package org.patchvisor.rollout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which guest names --only and --exclude select (the worker filters its queue with this). */
class RolloutOptionsSelectsTest {
    @Test
    void everyGuestWhenNothingIsGiven() {
        assertTrue(RolloutOptions.defaults().selects("web-1"));
    }

    @Test
    void onlyMatchingGuestsAndNeverExcludedOnes() {
        RolloutOptions options = RolloutOptions.defaults().withOnly(List.of("pvwk42-*", "db")).withExclude(List.of("*-b"));
        assertTrue(options.selects("pvwk42-a"));
        assertTrue(options.selects("db"));
        assertFalse(options.selects("pvwk42-b"));
        assertFalse(options.selects("pvwk43-a"));
        assertFalse(options.selects("db2"));
    }
}
