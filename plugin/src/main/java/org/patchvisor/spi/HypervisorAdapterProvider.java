package org.patchvisor.spi;

import java.io.IOException;

/**
 * The ServiceLoader entry of one hypervisor family (KVM through libvirt, Xen, OpenVZ/Virtuozzo, LXC). Each
 * adapter module lists one small final provider in
 * {@code META-INF/services/org.patchvisor.spi.HypervisorAdapterProvider}; the core never names adapter classes.
 */
public interface HypervisorAdapterProvider {

    /** Short lower-case name, used on the command line and in reports ("libvirt", "openvz", "lxc", "xen"). */
    String name();

    /** One line for {@code detect} and error messages: what this adapter manages and how it reaches it. */
    String description();

    /** Whether there is anything for this adapter to manage here (its tool, socket or /proc file exists). */
    boolean appliesTo(AdapterContext context);

    /** Connects. The caller closes the adapter. */
    HypervisorAdapter open(AdapterContext context) throws IOException;
}
