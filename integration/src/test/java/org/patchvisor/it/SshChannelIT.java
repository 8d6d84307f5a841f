package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.SshChannel;

/**
 * The SSH guest channel against a real OpenSSH server ({@link TestSshd}: Debian's sshd on 127.0.0.1 at a free
 * port, its own host key, one authorized key, no passwords, internal-sftp).
 */
class SshChannelIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static TestSshd sshd;
    private static Path dir;

    @BeforeAll
    static void startSshd() throws Exception {
        sshd = TestSshd.start();
        dir = sshd.dir;
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void execPassesArgvUntouchedAndReportsExitAndStderr() throws Exception {
        try (SshChannel ssh = connect("client_ed25519", "known_hosts")) {
            assertTrue(ssh.ping(TIMEOUT));
            List<String> tricky = List.of("a b", "it's", "$HOME", "`id`", "; touch " + dir.resolve("pwned"), "*");
            List<String> argv = new java.util.ArrayList<>(List.of("printf", "%s\\n"));
            argv.addAll(tricky);
            ExecResult echoed = ssh.exec(argv, TIMEOUT);
            assertEquals(0, echoed.exitCode(), echoed.stderr());
            assertEquals(String.join("\n", tricky) + "\n", echoed.stdout());
            assertFalse(Files.exists(dir.resolve("pwned")), "no shell expansion of arguments");

            ExecResult failed = ssh.exec(List.of("sh", "-c", "echo oops >&2; exit 7"), TIMEOUT);
            assertEquals(7, failed.exitCode());
            assertEquals("oops\n", failed.stderr());

            long start = System.nanoTime();
            assertThrows(GuestTimeoutException.class, () -> ssh.exec(List.of("sleep", "30"), Duration.ofSeconds(1)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
            assertTrue(ssh.ping(TIMEOUT), "the session survives a timed-out command");
        }
    }

    @Test
    void filesMoveIntactBothWays() throws Exception {
        byte[] module = new byte[300 * 1024];
        new Random(7).nextBytes(module);
        String path = dir.resolve("uploaded file.ko").toString();
        try (SshChannel ssh = connect("client_ed25519", "known_hosts")) {
            ssh.writeFile(path, module, TIMEOUT);
            assertArrayEquals(module, Files.readAllBytes(Path.of(path)));
            ExecResult sum = ssh.exec(List.of("sha256sum", path), TIMEOUT);
            assertTrue(sum.stdout().startsWith(org.patchvisor.io.Sha256.of(module)), sum.stdout());
            assertArrayEquals(module, ssh.readFile(path, module.length, TIMEOUT));
            IOException tooBig = assertThrows(IOException.class, () -> ssh.readFile(path, 1000, TIMEOUT));
            assertTrue(tooBig.getMessage().contains("more than the 1000"), tooBig.getMessage());
            ssh.writeFile(path, "replaced".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            assertEquals("replaced", Files.readString(Path.of(path)));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> ssh.readFile(dir.resolve("absent").toString(), 10, TIMEOUT));
        }
    }

    @Test
    void aKeyNotAuthorizedOrAnUnknownHostKeyIsRefused() {
        IOException auth = assertThrows(IOException.class, () -> connect("stranger_ed25519", "known_hosts"));
        assertTrue(auth.getMessage().contains("Auth fail"), auth.getMessage());
        IOException host = assertThrows(IOException.class, () -> connect("client_ed25519", "other_known_hosts"));
        assertTrue(host.getMessage().toLowerCase().contains("hostkey"), host.getMessage());
    }

    private static SshChannel connect(String key, String knownHosts) throws IOException {
        return SshChannel.connect(new SshChannel.Target("127.0.0.1", sshd.port, System.getProperty("user.name"),
                dir.resolve(key), dir.resolve(knownHosts)), TIMEOUT);
    }
}
