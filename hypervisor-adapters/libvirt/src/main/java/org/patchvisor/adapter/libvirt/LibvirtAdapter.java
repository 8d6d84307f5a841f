package org.patchvisor.adapter.libvirt;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.QgaProtocol;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.time.Ticker;

/**
 * KVM/QEMU guests on one or more libvirt connections. Lists every domain, running or not, with the policy the
 * administrator put in its metadata; enters a running guest through the QEMU guest agent via
 * {@code virDomainQemuAgentCommand}. Every domain handle is freed in a {@code finally} (or handed to the
 * channel, which frees it on close); a guest's state and agent channel are checked before anything is sent.
 */
final class LibvirtAdapter implements HypervisorAdapter {
    static final String NAME = "libvirt";
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    /** Connections by URI, in the order given. */
    private final Map<String, Connect> connections;
    /** Measures the agent's deadlines: each operation's one deadline, shared by the commands it sends. */
    private final Ticker ticker;

    private LibvirtAdapter(Map<String, Connect> connections, Ticker ticker) {
        this.connections = connections;
        this.ticker = ticker;
    }

    /** Opens every URI; if one fails the ones already open are closed again. */
    static LibvirtAdapter open(List<String> uris, LibvirtConnector connector, Ticker ticker) throws IOException {
        Map<String, Connect> open = new LinkedHashMap<>();
        try {
            for (String uri : uris) {
                if (!open.containsKey(uri)) {
                    open.put(uri, connector.open(uri));
                }
            }
            return new LibvirtAdapter(open, ticker);
        } catch (LibvirtException e) {
            closeAll(open.values());
            throw new IOException("cannot connect to libvirt at " + (open.size() < uris.size() ? uris.get(open.size())
                    : uris) + ": " + message(e), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean sharesHostKernel() {
        return false;
    }

    @Override
    public List<Guest> guests() throws IOException {
        List<Guest> guests = new ArrayList<>();
        for (Map.Entry<String, Connect> connection : connections.entrySet()) {
            Domain[] domains;
            try {
                domains = connection.getValue().listAllDomains(0);
            } catch (LibvirtException e) {
                throw new IOException("listing domains at " + connection.getKey() + " failed: " + message(e), e);
            }
            for (int i = 0; i < domains.length; i++) {
                try {
                    guests.add(guest(connection.getKey(), domains[i]));
                } catch (LibvirtException e) {
                    // The domain vanished between listing and reading (a transient guest destroyed): skip it.
                    if (!vanished(e)) {
                        freeAll(domains, i);
                        throw new IOException("reading a domain at " + connection.getKey() + " failed: " + message(e), e);
                    }
                } finally {
                    free(domains[i]);
                }
            }
        }
        return List.copyOf(guests);
    }

    private Guest guest(String uri, Domain domain) throws LibvirtException, IOException {
        DomainDescription description = DomainDescription.parse(domain.getXMLDesc(0));
        String id = connections.size() == 1 ? domain.getUUIDString() : uri + "#" + domain.getUUIDString();
        return new Guest(NAME, id, domain.getName(), state(domain.getInfo().state), description.policy());
    }

    static Guest.State state(DomainState state) {
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> Guest.State.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> Guest.State.PAUSED;
            case VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_CRASHED -> Guest.State.STOPPED;
            default -> Guest.State.OTHER;
        };
    }

    @Override
    public GuestChannel channel(Guest guest) throws IOException {
        Domain domain = lookup(guest);
        boolean handedOver = false;
        try {
            DomainState state = domain.getInfo().state;
            if (state(state) != Guest.State.RUNNING) {
                throw new GuestUnreachableException(guest.name() + " is not running (" + state(state).label() + ")");
            }
            if (!DomainDescription.parse(domain.getXMLDesc(0)).hasAgentChannel()) {
                throw new GuestUnreachableException(guest.name() + " has no QEMU guest agent channel ("
                        + DomainDescription.AGENT_PORT + ")");
            }
            QgaProtocol channel = new QgaProtocol(new LibvirtAgentTransport(domain, guest.name()), ticker);
            handedOver = true;
            if (!channel.ping(PING_TIMEOUT)) {
                channel.close();
                throw new GuestUnreachableException(guest.name() + ": the QEMU guest agent does not answer");
            }
            return channel;
        } catch (LibvirtException e) {
            throw new GuestUnreachableException(guest.name() + ": " + message(e), e);
        } finally {
            if (!handedOver) {
                free(domain);
            }
        }
    }

    private Domain lookup(Guest guest) throws IOException {
        String id = guest.id();
        int hash = id.lastIndexOf('#');
        List<Connect> candidates = new ArrayList<>();
        if (hash >= 0 && connections.containsKey(id.substring(0, hash))) {
            candidates.add(connections.get(id.substring(0, hash)));
            id = id.substring(hash + 1);
        } else {
            candidates.addAll(connections.values());
        }
        for (Connect connect : candidates) {
            try {
                return connect.domainLookupByUUIDString(id);
            } catch (LibvirtException e) {
                if (!vanished(e)) {
                    throw new IOException("looking up " + guest.name() + " failed: " + message(e), e);
                }
            }
        }
        throw new GuestUnreachableException(guest.name() + " no longer exists");
    }

    private static boolean vanished(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    static String message(LibvirtException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
    }

    private static void freeAll(Domain[] domains, int after) {
        for (int j = after + 1; j < domains.length; j++) {
            free(domains[j]);
        }
    }

    private static void free(Domain domain) {
        try {
            domain.free();
        } catch (LibvirtException e) {
            // Nothing left to do with it.
        }
    }

    private static void closeAll(Iterable<Connect> open) {
        for (Connect c : open) {
            try {
                c.close();
            } catch (LibvirtException e) {
                // Closing on the error path: the first error is the one to report.
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeAll(connections.values());
    }
}
