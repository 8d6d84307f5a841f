package org.patchvisor.adapter.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * The adapter against libvirt's own test driver ({@code test:///PATH.xml}): the real client library and
 * domain handling, no daemon. The test driver has no guest agent, so every agent path ends unreachable here;
 * the real agent is covered by the libvirt lane (LibvirtGuestsIT).
 */
class LibvirtAdapterTest {
    private static String node;

    @BeforeAll
    static void node() throws URISyntaxException {
        if (!Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libvirt.so.0"))) {
            // A developer machine without libvirt skips; CI must have it.
            Assertions.assertFalse("true".equalsIgnoreCase(System.getenv("CI")), "libvirt client library missing");
            Assumptions.abort("libvirt client library (package libvirt0) missing");
        }
        node = "test://" + Path.of(LibvirtAdapterTest.class.getResource("/test-node.xml").toURI());
    }

    private static AdapterContext context(Path root, List<String> uris) {
        return new AdapterContext(root, uris, Map.of(), new SystemProcessRunner(""));
    }

    @Test
    void theAgentsDeadlinesAreMeasuredOnTheContextsTicker() throws IOException {
        AtomicInteger readings = new AtomicInteger();
        // Every reading is an hour later: the agent's ping deadline has passed by the time it would send.
        Ticker hours = new Ticker() {
            @Override
            public long nanoTime() {
                return Duration.ofHours(readings.incrementAndGet()).toNanos();
            }

            @Override
            public void sleep(Duration duration) {
                throw new AssertionError("nothing should sleep here");
            }
        };
        try (HypervisorAdapter adapter = new LibvirtAdapterProvider().open(new AdapterContext(Path.of("/"),
                List.of(node), Map.of(), new SystemProcessRunner(""), hours))) {
            Guest web = find(adapter.guests(), "web1");
            GuestUnreachableException silent = assertThrows(GuestUnreachableException.class, () -> adapter.channel(web));
            assertTrue(silent.getMessage().contains("does not answer"), silent.getMessage());
        }
        assertTrue(readings.get() >= 2, "the ping's deadline was set and checked on the context's ticker");
    }

    private static HypervisorAdapter open() throws IOException {
        return new LibvirtAdapterProvider().open(context(Path.of("/"), List.of(node)));
    }

    @Test
    void listsEveryDomainWithStateAndPolicy() throws IOException {
        try (HypervisorAdapter adapter = open()) {
            assertEquals("libvirt", adapter.name());
            assertFalse(adapter.sharesHostKernel());
            List<Guest> guests = adapter.guests();
            assertEquals(List.of("db1", "old1", "web1"), guests.stream().map(Guest::name).sorted().toList());
            Guest web = find(guests, "web1");
            assertEquals(Guest.State.RUNNING, web.state());
            assertEquals("6695eb01-f6a4-8304-79aa-97f2502e193f", web.id());
            assertEquals(Map.of("group", "canary"), web.policy());
            assertTrue(find(guests, "db1").optedOut());
            assertEquals(Guest.State.STOPPED, find(guests, "old1").state());
        }
    }

    @Test
    void guestsThatCannotBeEnteredAreUnreachable() throws IOException {
        try (HypervisorAdapter adapter = open()) {
            List<Guest> guests = adapter.guests();
            GuestUnreachableException stopped = assertThrows(GuestUnreachableException.class,
                    () -> adapter.channel(find(guests, "old1")));
            assertTrue(stopped.getMessage().contains("not running"), stopped.getMessage());
            GuestUnreachableException noChannel = assertThrows(GuestUnreachableException.class,
                    () -> adapter.channel(find(guests, "db1")));
            assertTrue(noChannel.getMessage().contains("no QEMU guest agent channel"), noChannel.getMessage());
            // web1 has a channel, but the test driver answers no agent command: a silent agent.
            GuestUnreachableException silent = assertThrows(GuestUnreachableException.class,
                    () -> adapter.channel(find(guests, "web1")));
            assertTrue(silent.getMessage().contains("does not answer"), silent.getMessage());
            Guest gone = new Guest("libvirt", "00000000-0000-0000-0000-000000000001", "gone", Guest.State.RUNNING,
                    Map.of());
            assertThrows(GuestUnreachableException.class, () -> adapter.channel(gone));
        }
    }

    @Test
    void severalConnectionsKeepGuestsApart() throws IOException {
        try (HypervisorAdapter adapter = new LibvirtAdapterProvider().open(context(Path.of("/"),
                List.of(node, "test:///default")))) {
            List<Guest> guests = adapter.guests();
            assertEquals(4, guests.size());
            assertTrue(find(guests, "web1").id().startsWith(node + "#"));
            assertTrue(find(guests, "test").id().startsWith("test:///default#"));
        }
    }

    @Test
    void badUriIsOneClearError() {
        IOException e = assertThrows(IOException.class, () -> new LibvirtAdapterProvider()
                .open(context(Path.of("/"), List.of(node, "test:///nonexistent/node.xml"))));
        assertTrue(e.getMessage().startsWith("cannot connect to libvirt at test:///nonexistent/node.xml"),
                e.getMessage());
    }

    @Test
    void appliesWithExplicitUrisOrALocalSocket(@TempDir Path root) throws IOException {
        LibvirtAdapterProvider provider = new LibvirtAdapterProvider();
        assertFalse(provider.appliesTo(context(root, List.of())));
        assertTrue(provider.appliesTo(context(root, List.of("qemu+ssh://h/system"))));
        Files.createDirectories(root.resolve("run/libvirt"));
        Files.createFile(root.resolve("run/libvirt/libvirt-sock"));
        assertTrue(provider.appliesTo(context(root, List.of())));
    }

    @Test
    void isFoundThroughServiceLoader() {
        List<HypervisorAdapterProvider> all = new HypervisorAdapters(
                () -> ServiceLoader.load(HypervisorAdapterProvider.class)).all();
        assertTrue(all.stream().anyMatch(p -> p instanceof LibvirtAdapterProvider), all::toString);
    }

    @Test
    void agentTimeoutsAreWholeSecondsAndNeverZero() {
        assertEquals(1, LibvirtAgentTransport.seconds(Duration.ZERO));
        assertEquals(1, LibvirtAgentTransport.seconds(Duration.ofMillis(1)));
        assertEquals(5, LibvirtAgentTransport.seconds(Duration.ofMillis(4001)));
    }

    private static Guest find(List<Guest> guests, String name) {
        return guests.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }
}
