package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.patchvisor.adapter.xen.SshKeys;
import org.patchvisor.adapter.xen.XenAdapter;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.spi.Guest;
import org.patchvisor.time.Ticker;

/**
 * A Xen guest without an agent channel is entered over SSH at the endpoint its domain metadata names. The Xen side
 * is libvirt's test driver with a node file of Xen domains (a documented fake: no Xen runs here); the SSH side is a
 * real sshd ({@link TestSshd}) standing in for the guest's.
 */
class XenSshIT {

    @Test
    void guestWithSshMetadataIsEnteredOverSsh() throws Exception {
        try (TestSshd sshd = TestSshd.start()) {
            String template = Files.readString(HostScripts.projectRoot()
                    .resolve("hypervisor-adapters/xen/src/test/resources/xen/node.xml"));
            Path node = sshd.dir.resolve("node.xml");
            Files.writeString(node, template.replace("@AGENT_SOCKET@", sshd.dir.resolve("no-agent.sock").toString())
                    .replace("@SSH_PORT@", Integer.toString(sshd.port))
                    .replace("@SSH_USER@", System.getProperty("user.name")));
            try (XenAdapter xen = new XenAdapter(new Connect("test://" + node, true),
                    new SshKeys(sshd.clientKey(), sshd.knownHosts()), Ticker.SYSTEM)) {
                Guest ops = xen.guests().stream().filter(g -> g.name().equals("ops-ssh")).findFirst().orElseThrow();
                try (GuestChannel channel = xen.channel(ops)) {
                    assertTrue(channel.ping(Duration.ofSeconds(10)));
                    GuestChannel.ExecResult uname = channel.exec(List.of("uname", "-r"), Duration.ofSeconds(20));
                    assertEquals(0, uname.exitCode(), uname.stderr());
                    assertEquals(System.getProperty("os.version"), uname.stdout().strip());
                    String path = sshd.dir.resolve("pv_cmdline.ko").toString();
                    channel.writeFile(path, new byte[] {0x7f, 'E', 'L', 'F'}, Duration.ofSeconds(20));
                    assertEquals("\u007fELF", new String(channel.readFile(path, 100, Duration.ofSeconds(20)),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        }
    }
}
