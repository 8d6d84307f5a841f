package org.patchvisor.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server for tests: Debian's sshd on 127.0.0.1 at a free port, with its own host key, one
 * authorized client key, no passwords, internal-sftp, everything in a temp directory. A second key that is not
 * authorized and a known_hosts naming the wrong host key let tests check refusals.
 */
final class TestSshd implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    final Path dir;
    final int port;
    private final Process sshd;

    private TestSshd(Path dir, int port, Process sshd) {
        this.dir = dir;
        this.port = port;
        this.sshd = sshd;
    }

    static TestSshd start() throws IOException, InterruptedException {
        Components.onThisMachine().requireSshd();
        Path dir = Files.createTempDirectory("pv-sshd");
        keygen(dir.resolve("host_ed25519"));
        keygen(dir.resolve("client_ed25519"));
        keygen(dir.resolve("stranger_ed25519"));
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        int port = freePort();
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(dir.resolve("host_ed25519.pub")).strip() + "\n");
        Files.writeString(dir.resolve("other_known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(dir.resolve("stranger_ed25519.pub")).strip() + "\n");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp",
                ""));
        // sshd insists on its privilege-separation directory, which Debian's init script creates.
        Files.createDirectories(Path.of("/run/sshd"));
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        TestSshd server = new TestSshd(dir, port, sshd);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!listening(port)) {
            if (!sshd.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
            }
            Thread.sleep(50);
        }
        return server;
    }

    Path clientKey() {
        return dir.resolve("client_ed25519");
    }

    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    @Override
    public void close() {
        sshd.destroy();
        try {
            if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
        } catch (InterruptedException e) {
            sshd.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void keygen(Path key) throws IOException {
        HostScripts.run(30, "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "patchvisor-test",
                "-f", key.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
