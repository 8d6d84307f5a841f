package org.patchvisor.adapter.lxc;

import java.util.Map;
import java.util.Optional;

/**
 * The first process of a container as /proc shows it from the host: PID 1 of a PID namespace below ours.
 *
 * @param hostPid     its PID in the host's namespace
 * @param pidNs       its PID namespace, as {@code readlink /proc/PID/ns/pid} prints it ("pid:[4026532301]")
 * @param command     its {@code comm}
 * @param environment its environment (container managers announce themselves there)
 * @param cgroup      its cgroup path from {@code /proc/PID/cgroup} (LXC puts the container name in it)
 */
record ContainerInit(int hostPid, String pidNs, String command, Map<String, String> environment, String cgroup) {
    ContainerInit {
        environment = Map.copyOf(environment);
    }

    /** The container manager's own name for it: libvirt-lxc's LIBVIRT_LXC_NAME, or LXC's cgroup name. */
    Optional<String> managedName() {
        String libvirt = environment.get("LIBVIRT_LXC_NAME");
        if (libvirt != null && !libvirt.isBlank()) {
            return Optional.of(libvirt);
        }
        // LXC 4+ runs a container in "lxc.payload.NAME" (older releases in "lxc/NAME").
        for (String part : cgroup.split("/")) {
            if (part.startsWith("lxc.payload.") && part.length() > "lxc.payload.".length()) {
                return Optional.of(part.substring("lxc.payload.".length()));
            }
        }
        int lxc = cgroup.indexOf("/lxc/");
        if (lxc >= 0) {
            String rest = cgroup.substring(lxc + "/lxc/".length());
            int slash = rest.indexOf('/');
            String name = slash < 0 ? rest : rest.substring(0, slash);
            if (!name.isEmpty()) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** Who runs it: libvirt-lxc, LXC, another manager named by {@code container=}, or plain namespaces. */
    String manager() {
        if (environment.containsKey("LIBVIRT_LXC_NAME")) {
            return "libvirt-lxc";
        }
        String declared = environment.getOrDefault("container", "");
        if (!declared.isEmpty()) {
            return declared;
        }
        return managedName().isPresent() ? "lxc" : "namespaces";
    }

    /** libvirt's UUID when libvirt runs it, else the PID namespace: stable while the container runs. */
    String id() {
        String uuid = environment.get("LIBVIRT_LXC_UUID");
        return uuid != null && !uuid.isBlank() ? uuid : pidNs;
    }

    String name() {
        return managedName().orElse(command + "-" + hostPid);
    }
}
