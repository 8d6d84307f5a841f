package org.patchvisor.detect;

/**
 * What this machine is, as far as patching goes. Several roles can hold at once: a KVM host can itself be
 * a VM guest, and a container still runs on bare metal or inside a VM.
 */
public enum Role {
    BARE_METAL("bare metal"),
    VM_GUEST("vm guest"),
    KVM_HOST("kvm host"),
    XEN_DOM0("xen dom0"),
    OPENVZ_NODE("openvz node"),
    LXC_HOST("lxc host"),
    CONTAINER("container");

    private final String displayName;

    Role(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** Roles whose containers all run on this kernel: one patch covers them all. */
    public boolean sharesKernel() {
        return this == OPENVZ_NODE || this == LXC_HOST;
    }

    /** Roles that run VMs with kernels of their own, reached through guest agents. */
    public boolean runsGuests() {
        return this == KVM_HOST || this == XEN_DOM0;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
