package org.patchvisor.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * QEMU's own virtiofs daemon serving this machine's root to a VM whose kernel has no 9p. Chroot sandbox: no
 * namespaces in a container. It holds one descriptor per inode the guest caches and cannot raise its limit here,
 * so no readdirplus: listing a directory must not make the guest look up every entry in it.
 */
final class Virtiofsd {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private Virtiofsd() {
    }

    /** Where the daemon listens for QEMU, in a VM's short run directory (UNIX socket paths are short). */
    static Path socket(Path runDir) {
        return runDir.resolve("vfs.sock");
    }

    /** Starts the daemon on {@code socket}; returns once it listens. The caller kills it with its VM. */
    static Process start(Path socket, Path log) throws IOException {
        Process daemon = new ProcessBuilder("/usr/lib/qemu/virtiofsd", "--socket-path=" + socket, "-o", "source=/",
                "-o", "sandbox=chroot", "-o", "cache=auto", "-o", "no_readdirplus").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                KernelVm.kill(daemon);
                throw new IOException("virtiofsd did not start; see " + log);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                KernelVm.kill(daemon);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting virtiofsd", e);
            }
        }
        return daemon;
    }
}
