package org.patchvisor.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link RunLockTest}: takes the lock, optionally journals an apply of the patch named
 * by the third argument up to LOADED (a run about to wait for its transition), says so, and holds the lock
 * until killed.
 */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]), args[1], Duration.ofSeconds(30));
        if (args.length > 2) {
            Journal journal = new Journal(Path.of(args[0]));
            long id = journal.begin(Operation.APPLY, args[2], StateStoreTest.HOST);
            journal.phase(id, Phase.LOADING);
            journal.phase(id, Phase.LOADED);
        }
        System.out.println("LOCKED " + lock.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
