package org.patchvisor.time;

import java.time.Duration;

/**
 * Time that moves only when someone sleeps: waits in tests take no real time. Safe to share between threads (a
 * rollout's workers sleep on it while its watch reads it).
 */
public class FakeTicker implements Ticker {
    public volatile long now;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleep(Duration duration) throws InterruptedException {
        now += duration.toNanos();
    }
}
