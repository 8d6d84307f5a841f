package org.patchvisor.state;

import java.nio.file.Path;
import java.time.Duration;

/** Run in a child JVM by {@link RunLockTest}: takes the lock, says so, and holds it until killed. */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]), args[1], Duration.ofSeconds(30));
        System.out.println("LOCKED " + lock.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
