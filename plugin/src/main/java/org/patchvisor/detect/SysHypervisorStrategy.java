package org.patchvisor.detect;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** VM guest by {@code /sys/hypervisor/type} (Documentation/ABI/stable/sysfs-hypervisor-xen): "xen" in a Xen guest. */
final class SysHypervisorStrategy implements DetectionStrategy {

    private static final String TYPE = "/sys/hypervisor/type";

    @Override
    public String name() {
        return "sys-hypervisor";
    }

    @Override
    public String description() {
        return "hypervisor type in " + TYPE;
    }

    @Override
    public int priority() {
        return 85;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.VM_GUEST);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        Optional<String> type = files.firstLine(TYPE);
        if (type.isEmpty()) {
            return Examination.nothing(TYPE + " is absent");
        }
        String kind = type.get().equals("xen") ? "xen" : "vm-other";
        return Examination.found(TYPE + " names " + kind, Finding.kind(Role.VM_GUEST, kind, VmRanks.SYS_HYPERVISOR,
                List.of(new Evidence(TYPE, "\"" + type.get() + "\""))));
    }
}
