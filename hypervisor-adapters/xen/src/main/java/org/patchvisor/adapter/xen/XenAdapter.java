package org.patchvisor.adapter.xen;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.QgaSocketChannel;
import org.patchvisor.guest.SshChannel;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.GuestUnreachableException;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.time.Ticker;

/**
 * Xen guests as libvirt's Xen driver lists them. Each runs its own kernel; patchvisor enters one through the QEMU
 * guest agent on the host-side UNIX socket of its agent channel, or, for a guest without one, over SSH to the
 * endpoint its domain metadata names ({@link DomainXml}). Domain-0 is the host itself and is never listed. The
 * connection is read-only: the adapter only lists domains and reads their XML.
 */
public final class XenAdapter implements HypervisorAdapter {
    static final String NAME = "xen";
    private static final Duration SSH_CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private final Connect connect;
    private final SshKeys sshKeys;
    private final Ticker ticker;

    /** @param ticker measures every wait on a guest's channel, agent socket or SSH */
    public XenAdapter(Connect connect, SshKeys sshKeys, Ticker ticker) {
        this.connect = connect;
        this.sshKeys = sshKeys;
        this.ticker = ticker;
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
        try {
            for (int id : connect.listDomains()) {
                if (id != 0) {
                    withDomain(connect.domainLookupByID(id), guests);
                }
            }
            for (String name : connect.listDefinedDomains()) {
                withDomain(connect.domainLookupByName(name), guests);
            }
        } catch (LibvirtException e) {
            throw new IOException("listing Xen domains: " + e.getMessage(), e);
        }
        return guests;
    }

    private static void withDomain(Domain domain, List<Guest> into) throws LibvirtException {
        try {
            if (!domain.getName().equals("Domain-0")) {
                into.add(new Guest(NAME, domain.getUUIDString(), domain.getName(), state(domain.getInfo().state),
                        Map.of()));
            }
        } finally {
            domain.free();
        }
    }

    static Guest.State state(DomainState state) {
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> Guest.State.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> Guest.State.PAUSED;
            case VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_CRASHED -> Guest.State.STOPPED;
            default -> Guest.State.OTHER;
        };
    }

    /** Into a running guest: its guest-agent socket when the XML names one, else SSH as its metadata says. */
    @Override
    public GuestChannel channel(Guest guest) throws IOException {
        if (!guest.running()) {
            throw new GuestUnreachableException(guest.name() + " is " + guest.state().label() + ", not running");
        }
        String xml;
        try {
            Domain domain = connect.domainLookupByUUIDString(guest.id());
            try {
                xml = domain.getXMLDesc(0);
            } finally {
                domain.free();
            }
        } catch (LibvirtException e) {
            throw new GuestUnreachableException(guest.name() + ": " + e.getMessage(), e);
        }
        Optional<String> socket = DomainXml.socketPath(xml);
        if (socket.isPresent()) {
            try {
                return QgaSocketChannel.connect(Path.of(socket.get()), ticker);
            } catch (IOException e) {
                throw new GuestUnreachableException(guest.name() + ": guest agent socket " + socket.get()
                        + " does not answer: " + e.getMessage(), e);
            }
        }
        Optional<DomainXml.SshEndpoint> ssh = DomainXml.sshEndpoint(xml);
        if (ssh.isPresent()) {
            DomainXml.SshEndpoint at = ssh.get();
            try {
                return SshChannel.connect(new SshChannel.Target(at.host(), at.port(), at.user(), sshKeys.privateKey(),
                        sshKeys.knownHosts()), SSH_CONNECT_TIMEOUT, ticker);
            } catch (IOException e) {
                throw new GuestUnreachableException(guest.name() + ": " + e.getMessage(), e);
            }
        }
        throw new GuestUnreachableException(guest.name() + " has no guest-agent channel (<channel type='unix'> with "
                + "target name org.qemu.guest_agent.0) and no patchvisor ssh metadata in its domain XML");
    }

    @Override
    public void close() throws IOException {
        try {
            connect.close();
        } catch (LibvirtException e) {
            throw new IOException("closing the Xen connection: " + e.getMessage(), e);
        }
    }
}
