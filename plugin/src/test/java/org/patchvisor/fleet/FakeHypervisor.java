package org.patchvisor.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.patchvisor.guest.FakeGuest;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;

/**
 * A hypervisor adapter and its provider for fleet and CLI tests, handed in through the same provider supplier the
 * CLI uses. Its guests are listed as given; a guest with a {@link FakeGuest} behind it can be entered, any other is
 * unreachable (no agent channel), the way the libvirt adapter refuses a silent agent. Counts opens and closes, of
 * itself and of its guests' channels.
 */
public final class FakeHypervisor implements HypervisorAdapterProvider {
    private final String name;
    private final boolean sharesHostKernel;
    public final List<Guest> guests = new CopyOnWriteArrayList<>();
    public final Map<String, FakeGuest> channels = new ConcurrentHashMap<>();
    public final List<String> connectionUris = new CopyOnWriteArrayList<>();
    public final AtomicInteger opened = new AtomicInteger();
    public final AtomicInteger closed = new AtomicInteger();
    public final AtomicInteger channelsOpened = new AtomicInteger();

    public FakeHypervisor(String name, boolean sharesHostKernel) {
        this.name = name;
        this.sharesHostKernel = sharesHostKernel;
    }

    public FakeHypervisor with(Guest... more) {
        guests.addAll(List.of(more));
        return this;
    }

    /** A running guest of this adapter. */
    public Guest guest(String guestName) {
        Guest guest = new Guest(name, "id-" + guestName, guestName, Guest.State.RUNNING, Map.of());
        guests.add(guest);
        return guest;
    }

    /**
     * A running guest on the fake guest's kernel whose agent loads whatever it is given: it registers the patch in
     * the guest's sysfs and reports it applied, as the real agent script does.
     */
    public FakeGuest patchable(String guestName) {
        guest(guestName);
        FakeGuest inside = new FakeGuest();
        inside.agent = args -> {
            inside.loadPatch(args.get(1), true, false);
            return "{\"result\":\"applied\",\"reason\":\"" + args.get(1) + " applied\",\"ms\":1}\n";
        };
        channels.put(guestName, inside);
        return inside;
    }

    /** How often its guests' channels were closed, all together: to be {@link #channelsOpened} after a command. */
    public int channelsClosed() {
        return channels.values().stream().mapToInt(g -> g.closes.get()).sum();
    }

    /** The providers the CLI and {@link GuestTargets} take: this one alone, or with others. */
    public static HypervisorAdapters providers(HypervisorAdapterProvider... providers) {
        List<HypervisorAdapterProvider> all = List.of(providers);
        return new HypervisorAdapters(() -> new ArrayList<>(all));
    }

    /** Opens this adapter alone, as a command run would. */
    public GuestTargets open() throws IOException {
        return GuestTargets.open(providers(this), context());
    }

    static AdapterContext context() {
        return new AdapterContext(Path.of("/nonexistent"), List.of(), Map.of(), new SystemProcessRunner(""));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return name + " guests for tests";
    }

    @Override
    public boolean appliesTo(AdapterContext context) {
        return true;
    }

    @Override
    public HypervisorAdapter open(AdapterContext context) {
        opened.incrementAndGet();
        connectionUris.addAll(context.connectionUris());
        return new HypervisorAdapter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean sharesHostKernel() {
                return sharesHostKernel;
            }

            @Override
            public List<Guest> guests() {
                return List.copyOf(guests);
            }

            @Override
            public GuestChannel channel(Guest guest) throws IOException {
                FakeGuest inside = channels.get(guest.name());
                if (sharesHostKernel) {
                    return HypervisorAdapter.super.channel(guest);
                }
                if (inside == null) {
                    throw new GuestUnreachableException(guest.name() + " has no QEMU guest agent channel");
                }
                channelsOpened.incrementAndGet();
                return inside;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }
}
