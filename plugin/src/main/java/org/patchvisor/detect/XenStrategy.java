package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Xen dom0 or domU. A domain of either kind has {@code /proc/xen} (xenfs); dom0 is told apart by the
 * XENFEAT_dom0 bit (11) in {@code /sys/hypervisor/properties/features}, or else by "control_d" among the
 * comma-separated words of {@code /proc/xen/capabilities} — the same two checks, in the same order, as
 * systemd's {@code detect_vm_xen_dom0()}.
 */
final class XenStrategy implements DetectionStrategy {

    private static final String PROC_XEN = "/proc/xen";
    private static final String CAPABILITIES = "/proc/xen/capabilities";
    private static final String FEATURES = "/sys/hypervisor/properties/features";
    private static final int XENFEAT_DOM0 = 11;

    @Override
    public String name() {
        return "xen";
    }

    @Override
    public String description() {
        return "Xen domain: " + PROC_XEN + ", " + FEATURES + " (XENFEAT_dom0), " + CAPABILITIES + " (control_d)";
    }

    @Override
    public int priority() {
        return 95;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.VM_GUEST, Role.XEN_DOM0);
    }

    @Override
    public Optional<String> skipReason(HostFiles files) {
        return files.exists(PROC_XEN) ? Optional.empty() : Optional.of(PROC_XEN + " is absent (not a Xen domain)");
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(PROC_XEN, "present"));
        Optional<String> features = files.firstLine(FEATURES);
        if (features.isPresent()) {
            try {
                long bits = Long.parseUnsignedLong(features.get(), 16);
                boolean dom0 = (bits & (1L << XENFEAT_DOM0)) != 0;
                evidence.add(new Evidence(FEATURES, features.get() + ": XENFEAT_dom0 " + (dom0 ? "set" : "clear")));
                return verdict(dom0, evidence);
            } catch (NumberFormatException e) {
                evidence.add(new Evidence(FEATURES, "unparsable \"" + features.get() + "\", falling back"));
            }
        }
        Optional<String> capabilities = files.firstLine(CAPABILITIES);
        if (capabilities.isEmpty()) {
            evidence.add(new Evidence(CAPABILITIES, "absent"));
            return verdict(false, evidence);
        }
        boolean dom0 = List.of(capabilities.get().split(",")).stream().map(String::trim).anyMatch("control_d"::equals);
        evidence.add(new Evidence(CAPABILITIES, capabilities.get().isEmpty() ? "empty (no control_d)"
                : "\"" + capabilities.get() + "\"" + (dom0 ? " contains control_d" : " without control_d")));
        return verdict(dom0, evidence);
    }

    private static Examination verdict(boolean dom0, List<Evidence> evidence) {
        if (dom0) {
            return Examination.found("Xen control domain", Finding.of(Role.XEN_DOM0, evidence));
        }
        return Examination.found("Xen domU", Finding.kind(Role.VM_GUEST, "xen", VmRanks.XEN_DOMAIN, evidence));
    }
}
