package org.patchvisor.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    private final List<Duration> slept = new ArrayList<>();
    private final FakeTicker ticker = new FakeTicker() {
        @Override
        public void sleep(Duration duration) throws InterruptedException {
            slept.add(duration);
            super.sleep(duration);
        }
    };

    @Test
    void pollsUntilTheProbeAnswersWithoutWaitingLonger() throws Exception {
        int[] looks = {0};
        Optional<String> result = Deadline.after(ticker, Duration.ofSeconds(1))
                .poll(Duration.ofMillis(100), () -> ++looks[0] == 3 ? Optional.of("ready") : Optional.empty());
        assertEquals(Optional.of("ready"), result);
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(100)), slept);
    }

    @Test
    void theLastPauseIsCutToTheDeadlineAndTheProbeIsCheckedThere() throws Exception {
        List<Long> lookedAt = new ArrayList<>();
        Optional<Object> result = Deadline.after(ticker, Duration.ofMillis(250)).poll(Duration.ofMillis(100), () -> {
            lookedAt.add(ticker.now);
            return Optional.empty();
        });
        assertEquals(Optional.empty(), result);
        assertEquals(List.of(0L, 100_000_000L, 200_000_000L, 250_000_000L), lookedAt);
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(50)), slept);
    }

    @Test
    void aZeroOrNegativeTimeoutLooksOnceAndNeverSleeps() throws Exception {
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-3))) {
            int[] looks = {0};
            Deadline deadline = Deadline.after(ticker, timeout);
            assertEquals(Optional.empty(), deadline.poll(Duration.ofMillis(10), () -> {
                looks[0]++;
                return Optional.empty();
            }));
            assertEquals(1, looks[0]);
            assertTrue(deadline.expired());
            assertEquals(Duration.ZERO, deadline.remaining());
        }
        assertEquals(List.of(), slept);
    }

    @Test
    void tellsWhatIsLeftWhatHasPassedAndWhetherAPauseStillFits() throws InterruptedException {
        ticker.now = -5_000; // System.nanoTime() may be negative; only differences count
        Deadline deadline = Deadline.after(ticker, Duration.ofSeconds(2));
        ticker.sleep(Duration.ofMillis(1500));
        assertEquals(Duration.ofMillis(1500), deadline.elapsed());
        assertEquals(Duration.ofMillis(500), deadline.remaining());
        assertTrue(deadline.allows(Duration.ofMillis(499)));
        assertFalse(deadline.allows(Duration.ofMillis(500)));
        assertFalse(deadline.expired());
        assertTrue(deadline.sleep(Duration.ofSeconds(5)));
        assertTrue(deadline.expired());
        assertFalse(deadline.sleep(Duration.ofMillis(1)));
        assertEquals(Duration.ofMillis(2000), deadline.elapsed());
    }

    @Test
    void anEndlessTimeoutDoesNotOverflow() {
        ticker.now = Long.MAX_VALUE - 10;
        Deadline deadline = Deadline.after(ticker, Duration.ofSeconds(Long.MAX_VALUE));
        ticker.now += 1_000; // the reading wraps, as System.nanoTime() may
        assertFalse(deadline.expired());
        assertTrue(deadline.allows(Duration.ofDays(365)));
    }
}
