package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.model.Outcome;
import org.patchvisor.rollout.RolloutOptions;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.time.FakeTicker;

/**
 * The worker's job for one queued guest: what it drops, what it keeps for a retry, and its wait for a just-started
 * guest's agent (libvirt refuses a channel until the agent answers).
 */
class GuestWorkerHandlerTest {
    private static final Guest GUEST = new Guest("fake", "1", "g1", Guest.State.RUNNING, Map.of());

    @TempDir
    Path tmp;

    private final FakeHypervisor kvm = new FakeHypervisor("kvm", false);

    private GuestWorkerHandler handler(FakeHypervisor adapter, RolloutOptions selection, Supplier<Feed> feed) {
        return new GuestWorkerHandler(adapter::open, feed, new FakeTicker(), Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofMinutes(1), GuestPatcher.standard(), selection);
    }

    private GuestWorkerHandler handler(FakeHypervisor adapter) {
        return handler(adapter, RolloutOptions.defaults(), () -> {
            throw new AssertionError("the feed is not needed for this guest");
        });
    }

    @Test
    void aStartedGuestIsPatchedFromTheFeedAndItsEventsCanGo() throws Exception {
        FakeGuest web1 = kvm.patchable("web1");
        FakeGuest web2 = kvm.patchable("web2");
        SampleFeed feed = new SampleFeed(tmp);
        SpoolDrainer.Result result = handler(kvm, RolloutOptions.defaults(), () -> {
            try {
                return feed.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).handle("web1");

        assertEquals(new SpoolDrainer.Result(Outcome.APPLIED, true, SampleFeed.PATCH
                + " applied (verified: enabled, transition finished; 1 ms in the guest)"), result);
        assertTrue(web1.files.containsKey("/sys/kernel/livepatch/" + SampleFeed.PATCH + "/enabled"), "loaded in web1");
        assertEquals(List.of(), web2.execs, "the rollout was restricted to the queued guest");
        assertEquals(kvm.opened.get(), kvm.closed.get(), "the adapters are closed after the job");
        assertTrue(kvm.channelsOpened.get() >= 2, "the agent was waited for, then the guest patched");
        assertEquals(kvm.channelsOpened.get(), web1.closes.get(), "every channel into web1 was closed");
    }

    @Test
    void aGuestTheWorkerDoesNotSelectIsDroppedUntouched() throws Exception {
        kvm.patchable("db1");
        SpoolDrainer.Result result = handler(kvm, RolloutOptions.defaults().withOnly(List.of("web-*")), () -> {
            throw new AssertionError("no feed for an unselected guest");
        }).handle("db1");
        assertEquals(new SpoolDrainer.Result(Outcome.SKIPPED, true, "not selected by --only/--exclude"), result);
        assertEquals(0, kvm.opened.get(), "no adapter was even opened");
    }

    @Test
    void aGuestThatIsGoneStoppedOrSharesTheHostKernelIsDroppedWithWhy() throws Exception {
        kvm.with(new Guest("kvm", "id-off", "off", Guest.State.STOPPED, Map.of()));
        assertEquals(new SpoolDrainer.Result(Outcome.GONE, true, "no guest named 'nope' (adapters: kvm)"),
                handler(kvm).handle("nope"));
        assertEquals(new SpoolDrainer.Result(Outcome.SKIPPED, true, "not running (stopped)"), handler(kvm).handle("off"));
        FakeHypervisor lxc = new FakeHypervisor("lxc", true);
        lxc.guest("ct1");
        assertEquals(new SpoolDrainer.Result(Outcome.SKIPPED, true, "shares the host kernel: the host's patch covers it"),
                handler(lxc).handle("ct1"));
        assertEquals(0, kvm.channelsOpened.get());
    }

    @Test
    void aGuestWhoseAgentNeverAnswersIsKeptForARetry() throws Exception {
        kvm.guest("silent");
        SpoolDrainer.Result result = handler(kvm).handle("silent");
        assertEquals(new SpoolDrainer.Result(Outcome.UNREACHABLE, false,
                "silent has no QEMU guest agent channel (waited 0 s)"), result);
        // and no rollout ran: handler(kvm) fails the test if the feed is asked for
    }

    @Test
    void theStatesThatEndAJob() {
        assertTrue(GuestWorkerHandler.isFinal(Outcome.APPLIED));
        assertTrue(GuestWorkerHandler.isFinal(Outcome.FAILED_REVERTED), "reverted: retrying now changes nothing");
        assertFalse(GuestWorkerHandler.isFinal(Outcome.TIMED_OUT));
        assertFalse(GuestWorkerHandler.isFinal(Outcome.UNREACHABLE));
    }

    @Test
    void keepsOpeningTheChannelUntilTheBootingAgentAnswers() throws Exception {
        FakeTicker ticker = new FakeTicker();
        SilentThenAnswering adapter = new SilentThenAnswering(5);
        Optional<String> silent = GuestWorkerHandler.waitForAgent(adapter, GUEST, ticker, Duration.ofSeconds(60),
                Duration.ofSeconds(1));
        assertEquals(Optional.empty(), silent);
        assertEquals(6, adapter.opened);
        assertEquals(1, adapter.answering.closes.get(), "the channel that answered is closed again");
        assertEquals(5, Duration.ofNanos(ticker.now).toSeconds());
    }

    @Test
    void givesUpAfterTheAgentWaitWithTheAdaptersReason() throws Exception {
        FakeTicker ticker = new FakeTicker();
        SilentThenAnswering adapter = new SilentThenAnswering(Integer.MAX_VALUE);
        Optional<String> silent = GuestWorkerHandler.waitForAgent(adapter, GUEST, ticker, Duration.ofSeconds(10),
                Duration.ofSeconds(2));
        assertTrue(silent.orElseThrow().startsWith("g1: the QEMU guest agent does not answer (waited 10 s)"),
                silent.toString());
        assertEquals(6, adapter.opened);
    }

    /** Refuses a channel (as the libvirt adapter does for a silent agent) the first {@code silentOpens} times. */
    private static final class SilentThenAnswering implements HypervisorAdapter {
        private final int silentOpens;
        final FakeGuest answering = new FakeGuest(); // answers a ping, which is all the wait asks
        int opened;

        SilentThenAnswering(int silentOpens) {
            this.silentOpens = silentOpens;
        }

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
            return List.of(GUEST);
        }

        @Override
        public GuestChannel channel(Guest guest) throws IOException {
            opened++;
            if (opened <= silentOpens) {
                throw new GuestUnreachableException(guest.name() + ": the QEMU guest agent does not answer");
            }
            return answering;
        }

        @Override
        public void close() {
        }
    }
}
