package org.patchvisor.time;

import java.time.Duration;

/** Time that moves only when someone sleeps: waits in tests take no real time. */
public class FakeTicker implements Ticker {
    public long now;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        now += duration.toNanos();
    }
}
