package org.patchvisor.time;

import java.time.Duration;

/** Monotonic time and sleeping, injected so waits can be tested without waiting. */
public interface Ticker {
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
    };
}
