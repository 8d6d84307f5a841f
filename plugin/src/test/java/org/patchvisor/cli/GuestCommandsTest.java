package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestOs;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.time.FakeTicker;
import org.patchvisor.time.Ticker;

/** The guest commands through the real CLI with a fake hypervisor adapter: listing, refusals, exit codes. */
class GuestCommandsTest {
    @TempDir
    Path tmp;
    FakeRoot host;
    final List<String> uris = new ArrayList<>();
    final List<Ticker> tickers = new ArrayList<>();
    /** How often a command opened a channel into cloud1: each must be closed again ({@link #closes}). */
    final AtomicInteger cloud1Opened = new AtomicInteger();
    /** The one guest whose agent answers: on the cloud kernel, no live patches, no readable notes. */
    final FakeGuest cloud1 = new FakeGuest(new GuestOs("6.1.0-56-cloud-amd64", "#1 SMP PREEMPT_DYNAMIC Debian",
            "x86_64"));

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        host.adapters = new HypervisorAdapters(() -> List.of(new FakeProvider()));
    }

    @AfterEach
    void closes() {
        assertEquals(cloud1Opened.get(), cloud1.closes.get(), "every channel into cloud1 was closed again");
    }

    @Test
    void guestsListsEveryGuestWithItsKernel() throws Exception {
        FakeRoot.Run run = host.run("guests", "-c", "fake:///one", "-c", "fake:///two");
        assertEquals(0, run.exit(), run.err());
        assertTrue(cloud1Opened.get() > 0, "cloud1 was asked for its kernel");
        assertEquals(List.of("fake:///one", "fake:///two"), uris);
        assertTrue(run.out().lines().anyMatch(l -> l.matches("cloud1 +running +yes +6\\.1\\.0-56-cloud-amd64 +-.*")),
                run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("noagent +running +no +- +- +\\(noagent has no QEMU.*")),
                run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("off +stopped +- +- +-")), run.out());

        JsonNode json = new ObjectMapper().readTree(host.run("guests", "--json").out());
        assertEquals(3, json.size());
        assertEquals("6.1.0-56-cloud-amd64", json.at("/0/kernel/release").asText());
        assertEquals("canary", json.at("/0/policy/group").asText());
        assertEquals("no", json.at("/1/agent").asText());
    }

    @Test
    void adaptersWaitOnTheHostsTicker() {
        host.ticker = new FakeTicker();
        assertEquals(0, host.run("guests").exit());
        assertEquals(List.of(host.ticker), tickers);
    }

    @Test
    void applyToAGuestWithoutAgentIsUnreachable() {
        FakeRoot.Run run = host.run("apply", HostCommandsTest.SAMPLE.toString(), "--guest", "noagent");
        assertEquals(ExitCodes.GUEST_UNREACHABLE, run.exit(), run.err());
        assertTrue(run.err().startsWith("patchvisor: guest noagent: unreachable: noagent has no QEMU guest agent"),
                run.err());
    }

    @Test
    void wrongKernelIsRefusedAndNothingIsWritten() {
        FakeRoot.Run run = host.run("apply", HostCommandsTest.SAMPLE.toString(), "--guest", "cloud1", "--json");
        assertEquals(ExitCodes.REFUSED, run.exit(), run.err());
        assertTrue(run.out().contains("\"result\" : \"refused\""), run.out());
        assertTrue(run.out().contains("but the guest's kernel is 6.1.0-56-cloud-amd64"), run.out());
        assertEquals(List.of(), cloud1.writes);
        assertEquals(1, cloud1.closes.get(), "the refusal closes the channel it looked through");
    }

    @Test
    void unknownGuestIsNotFound() {
        FakeRoot.Run run = host.run("apply", HostCommandsTest.SAMPLE.toString(), "--guest", "nope");
        assertEquals(ExitCodes.NOT_FOUND, run.exit());
        assertEquals("patchvisor: no guest named 'nope' (adapters: fake)\n", run.err());
    }

    @Test
    void removeFromAGuestNeedsAName() {
        assertEquals(ExitCodes.USAGE, host.run("remove", "--all", "--guest", "cloud1").exit());
        assertEquals(ExitCodes.GUEST_UNREACHABLE, host.run("remove", "pv_cmdline", "--guest", "noagent").exit());
    }

    @Test
    void statusWithGuestsShowsHostAndGuests() throws Exception {
        FakeRoot.Run run = host.run("status", "--guests", "--state-dir", tmp.resolve("state").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("kernel:     6.1.0-56-amd64"), run.out());
        assertTrue(run.out().contains("cloud1"), run.out());
        JsonNode json = new ObjectMapper().readTree(host.run("status", "--guests", "--json", "--state-dir",
                tmp.resolve("state").toString()).out());
        assertEquals("cloud1", json.at("/guests/0/name").asText());
    }

    /** One fake hypervisor: a guest whose agent answers, one without an agent channel, one stopped. */
    final class FakeProvider implements HypervisorAdapterProvider {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String description() {
            return "fake guests for tests";
        }

        @Override
        public boolean appliesTo(AdapterContext context) {
            return true;
        }

        @Override
        public HypervisorAdapter open(AdapterContext context) {
            uris.addAll(context.connectionUris());
            tickers.add(context.ticker());
            return new HypervisorAdapter() {
                @Override
                public String name() {
                    return "fake";
                }

                @Override
                public boolean sharesHostKernel() {
                    return false;
                }

                @Override
                public List<Guest> guests() {
                    return List.of(new Guest("fake", "1", "cloud1", Guest.State.RUNNING, Map.of("group", "canary")),
                            new Guest("fake", "2", "noagent", Guest.State.RUNNING, Map.of()),
                            new Guest("fake", "3", "off", Guest.State.STOPPED, Map.of()));
                }

                @Override
                public GuestChannel channel(Guest guest) throws IOException {
                    if (!guest.name().equals("cloud1")) {
                        throw new org.patchvisor.spi.GuestUnreachableException(guest.name()
                                + " has no QEMU guest agent channel");
                    }
                    cloud1Opened.incrementAndGet();
                    return cloud1;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
