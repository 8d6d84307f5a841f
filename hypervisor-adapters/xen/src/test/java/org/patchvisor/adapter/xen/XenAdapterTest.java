package org.patchvisor.adapter.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * The Xen adapter against libvirt's real test driver loaded with a node file of Xen domains (a documented fake:
 * no Xen runs here), and its channel against the real qemu-ga listening on the socket the domain XML names.
 */
class XenAdapterTest {
    private static final Path QEMU_GA = Path.of("/usr/sbin/qemu-ga");
    private static final SshKeys KEYS = new SshKeys(Path.of("/nonexistent/id_ed25519"), Path.of("/nonexistent/known_hosts"));

    @TempDir
    Path tmp;

    @Test
    void guestsAreListedWithStatesButNotDomain0() throws Exception {
        try (XenAdapter adapter = new XenAdapter(new Connect(nodeUri(tmp.resolve("agent.sock")), true), KEYS, Ticker.SYSTEM)) {
            assertFalse(adapter.sharesHostKernel());
            List<Guest> guests = adapter.guests();
            assertEquals(Map.of("web-pv", Guest.State.RUNNING, "db-hvm", Guest.State.RUNNING,
                    "ops-ssh", Guest.State.RUNNING, "batch-paused", Guest.State.PAUSED, "old-off", Guest.State.STOPPED),
                    guests.stream().collect(java.util.stream.Collectors.toMap(Guest::name, Guest::state)));
            assertEquals("5f3c2b1a-8d4e-4c6f-9a7b-0e1d2c3b4a51", guests.stream()
                    .filter(g -> g.name().equals("web-pv")).findFirst().orElseThrow().id());
            assertTrue(guests.stream().allMatch(g -> g.adapter().equals("xen")));
        }
    }

    @Test
    void channelIsTheRealGuestAgentOnTheSocketFromTheDomainXml() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(QEMU_GA) || "true".equals(System.getenv("CI")),
                "qemu-ga (package qemu-guest-agent) is not installed");
        Path socket = tmp.resolve("agent.sock");
        // Read-only RPCs only: this agent runs on the build machine itself.
        Process agent = new ProcessBuilder(QEMU_GA.toString(), "-m", "unix-listen", "-p", socket.toString(),
                "-t", tmp.toString(), "-f", tmp.resolve("qga.pid").toString(),
                "-b", "guest-exec,guest-exec-status,guest-file-open,guest-file-write,guest-file-close,guest-shutdown,"
                + "guest-suspend-disk,guest-suspend-ram,guest-suspend-hybrid,guest-fsfreeze-freeze,"
                + "guest-fsfreeze-freeze-list,guest-fsfreeze-thaw,guest-set-time,guest-set-user-password,"
                + "guest-set-vcpus,guest-set-memory-blocks,guest-fstrim")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("qga.log").toFile()).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            try (XenAdapter adapter = new XenAdapter(new Connect(nodeUri(socket), true), KEYS, Ticker.SYSTEM)) {
                Guest web = guest(adapter, "web-pv");
                try (GuestChannel channel = adapter.channel(web)) {
                    assertTrue(channel.ping(Duration.ofSeconds(10)), Files.readString(tmp.resolve("qga.log")));
                }
                GuestUnreachableException none = assertThrows(GuestUnreachableException.class,
                        () -> adapter.channel(guest(adapter, "db-hvm")));
                assertTrue(none.getMessage().contains("no guest-agent channel") && none.getMessage().contains("no patchvisor ssh"),
                        none.getMessage());
                GuestUnreachableException off = assertThrows(GuestUnreachableException.class,
                        () -> adapter.channel(guest(adapter, "old-off")));
                assertTrue(off.getMessage().contains("stopped, not running"), off.getMessage());
            }
        } finally {
            agent.destroy();
            if (!agent.waitFor(5, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    @Test
    void aSilentSocketIsUnreachableNotAnError() throws Exception {
        try (XenAdapter adapter = new XenAdapter(new Connect(nodeUri(tmp.resolve("nobody.sock")), true), KEYS, Ticker.SYSTEM)) {
            GuestUnreachableException e = assertThrows(GuestUnreachableException.class,
                    () -> adapter.channel(guest(adapter, "web-pv")));
            assertTrue(e.getMessage().contains("does not answer"), e.getMessage());
        }
    }

    @Test
    void theChannelsDeadlinesAreMeasuredOnTheAdaptersTicker() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        AtomicInteger readings = new AtomicInteger();
        // Every reading is an hour later: a minute's ping is over at its first look, whatever the socket does.
        Ticker hours = new Ticker() {
            @Override
            public long nanoTime() {
                return Duration.ofHours(readings.incrementAndGet()).toNanos();
            }

            @Override
            public void sleep(Duration duration) {
            }
        };
        // An agent that takes the connection and never answers.
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             XenAdapter adapter = new XenAdapter(new Connect(nodeUri(socket), true), KEYS, hours)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            try (GuestChannel channel = adapter.channel(guest(adapter, "web-pv"))) {
                assertFalse(assertTimeoutPreemptively(Duration.ofSeconds(30), () -> channel.ping(Duration.ofMinutes(1))));
            }
        }
        assertTrue(readings.get() >= 2, "the ping's deadline was set and checked on the adapter's ticker");
    }

    @Test
    void agentSocketIsFoundInDomainXml() throws IOException {
        String xml = "<domain type='xen'><devices>"
                + "<channel type='pty'><target type='xen' name='org.qemu.guest_agent.0'/></channel>"
                + "<channel type='unix'><source mode='bind' path='/run/other.sock'/><target type='xen' name='org.example.other'/></channel>"
                + "<channel type='unix'><source mode='bind' path='/var/lib/xen/qga/web.sock'/>"
                + "<target type='xen' name='org.qemu.guest_agent.0'/></channel></devices></domain>";
        assertEquals(Optional.of("/var/lib/xen/qga/web.sock"), DomainXml.socketPath(xml));
        assertEquals(Optional.empty(), DomainXml.socketPath("<domain type='xen'><devices/></domain>"));
        assertThrows(IOException.class, () -> DomainXml.socketPath("<domain"));
        assertEquals(Optional.empty(), DomainXml.sshEndpoint(xml));
        assertThrows(IOException.class, () -> DomainXml.socketPath(
                "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>"));
    }

    @Test
    void sshEndpointIsReadFromPatchvisorMetadata() throws IOException {
        String ns = "xmlns:pv='https://patchvisor.org/xmlns/guest/1'";
        assertEquals(Optional.of(new DomainXml.SshEndpoint("192.0.2.10", 2222, "admin")), DomainXml.sshEndpoint(
                "<domain><metadata><pv:ssh " + ns + " host='192.0.2.10' port='2222' user='admin'/></metadata></domain>"));
        assertEquals(Optional.of(new DomainXml.SshEndpoint("guest.example", 22, "root")), DomainXml.sshEndpoint(
                "<domain><metadata><pv:ssh " + ns + " host='guest.example'/></metadata></domain>"));
        assertEquals(Optional.empty(), DomainXml.sshEndpoint(
                "<domain><metadata><ssh host='other-namespace'/></metadata></domain>"), "only our namespace counts");
        assertThrows(IOException.class, () -> DomainXml.sshEndpoint(
                "<domain><metadata><pv:ssh " + ns + " host='h' port='ssh'/></metadata></domain>"));
        assertThrows(IOException.class, () -> DomainXml.sshEndpoint(
                "<domain><metadata><pv:ssh " + ns + " port='22'/></metadata></domain>"));
    }

    @Test
    void aGuestWithSshMetadataButNoKeyIsUnreachable() throws Exception {
        try (XenAdapter adapter = new XenAdapter(new Connect(nodeUri(tmp.resolve("agent.sock")), true), KEYS, Ticker.SYSTEM)) {
            GuestUnreachableException e = assertThrows(GuestUnreachableException.class,
                    () -> adapter.channel(guest(adapter, "ops-ssh")));
            assertTrue(e.getMessage().startsWith("ops-ssh: ssh "), e.getMessage());
        }
    }

    @Test
    void providerPicksAXenUriAndAppliesInDom0() throws IOException {
        assertEquals("xen:///system", XenProvider.uri(List.of()));
        assertEquals("xen+ssh://root@dom0/system", XenProvider.uri(List.of("qemu:///system", "xen+ssh://root@dom0/system")));
        XenProvider provider = new XenProvider();
        assertFalse(provider.appliesTo(context(List.of())));
        Files.createDirectories(tmp.resolve("proc/xen"));
        Files.writeString(tmp.resolve("proc/xen/capabilities"), "control_d\n");
        assertTrue(provider.appliesTo(context(List.of())));
        assertTrue(provider.appliesTo(new AdapterContext(Path.of("/nonexistent"), List.of("xen:///system"), Map.of(), null)));
    }

    private AdapterContext context(List<String> uris) {
        return new AdapterContext(tmp, uris, Map.of(), (ProcessRunner) null);
    }

    private static Guest guest(XenAdapter adapter, String name) throws IOException {
        return adapter.guests().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private String nodeUri(Path socket) throws IOException {
        String template = Files.readString(Path.of("src/test/resources/xen/node.xml"));
        Path node = tmp.resolve("node.xml");
        Files.writeString(node, template.replace("@AGENT_SOCKET@", socket.toString()).replace("@SSH_PORT@", "22")
                .replace("@SSH_USER@", "root"));
        return "test://" + node.toAbsolutePath();
    }
}
