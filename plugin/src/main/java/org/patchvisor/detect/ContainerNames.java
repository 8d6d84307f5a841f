package org.patchvisor.detect;

import java.util.Set;

/**
 * The container-manager names systemd understands in {@code container=} and {@code /run/systemd/container}
 * (virt.c {@code container_table}); anything else is "container-other", as systemd-detect-virt says.
 */
final class ContainerNames {

    static final String OTHER = "container-other";
    /** Images sometimes hardcode container=oci, which names no manager; marker files then decide. */
    static final String OCI = "oci";

    private static final Set<String> KNOWN = Set.of(
            "lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman", "rkt", "wsl", "proot", "pouch");

    private ContainerNames() {
    }

    static String kind(String value) {
        return KNOWN.contains(value) ? value : OTHER;
    }
}
