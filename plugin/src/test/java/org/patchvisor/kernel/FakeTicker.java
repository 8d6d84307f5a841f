package org.patchvisor.kernel;

import java.time.Duration;
import org.patchvisor.time.Ticker;

/** Time that moves only when someone sleeps: waits in tests take no real time. */
final class FakeTicker implements Ticker {
    long now;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleep(Duration duration) {
        now += duration.toNanos();
    }
}
