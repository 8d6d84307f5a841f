package org.patchvisor.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.time.Ticker;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;

/** The worker's wait for a just-started guest's agent: libvirt refuses a channel until the agent answers. */
class GuestWorkerHandlerTest {
    private static final Guest GUEST = new Guest("fake", "1", "g1", Guest.State.RUNNING, Map.of());

    @Test
    void keepsOpeningTheChannelUntilTheBootingAgentAnswers() throws Exception {
        FakeTicker ticker = new FakeTicker();
        SilentThenAnswering adapter = new SilentThenAnswering(5);
        Optional<String> silent = GuestWorkerHandler.waitForAgent(adapter, GUEST, ticker, Duration.ofSeconds(60),
                Duration.ofSeconds(1));
        assertEquals(Optional.empty(), silent);
        assertEquals(6, adapter.opened);
        assertEquals(5, ticker.slept.toSeconds());
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

    /** Time that only moves when the code under test sleeps. */
    private static final class FakeTicker implements Ticker {
        Duration slept = Duration.ZERO;

        @Override
        public long nanoTime() {
            return slept.toNanos();
        }

        @Override
        public void sleep(Duration duration) {
            slept = slept.plus(duration);
        }
    }

    /** Refuses a channel (as the libvirt adapter does for a silent agent) the first {@code silentOpens} times. */
    private static final class SilentThenAnswering implements HypervisorAdapter {
        private final int silentOpens;
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
            return new GuestChannel() {
                @Override
                public boolean ping(Duration timeout) {
                    return true;
                }

                @Override
                public GuestChannel.ExecResult exec(List<String> argv, Duration timeout) {
                    throw new UnsupportedOperationException("not used by the wait");
                }

                @Override
                public void writeFile(String path, byte[] content, Duration timeout) {
                    throw new UnsupportedOperationException("not used by the wait");
                }

                @Override
                public byte[] readFile(String path, long maxBytes, Duration timeout) {
                    throw new UnsupportedOperationException("not used by the wait");
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
