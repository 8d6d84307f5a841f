package org.patchvisor.detect;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * VM guest by the "hypervisor" flag in {@code /proc/cpuinfo} (the kernel's name for CPUID leaf 1 ECX
 * bit 31, X86_FEATURE_HYPERVISOR). Works without the cpuid driver, but cannot name the hypervisor.
 */
final class CpuinfoFlagStrategy implements DetectionStrategy {

    private static final String CPUINFO = "/proc/cpuinfo";

    @Override
    public String name() {
        return "cpuinfo";
    }

    @Override
    public String description() {
        return "the \"hypervisor\" CPU flag in " + CPUINFO;
    }

    @Override
    public int priority() {
        return 80;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.VM_GUEST);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        Optional<String> cpuinfo = files.read(CPUINFO);
        if (cpuinfo.isEmpty()) {
            return Examination.nothing(CPUINFO + " is absent");
        }
        for (String line : cpuinfo.get().split("\n")) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                List<String> flags = List.of(line.substring(colon + 1).trim().split("\\s+"));
                Evidence evidence = new Evidence(CPUINFO, flags.contains("hypervisor")
                        ? "\"hypervisor\" among the CPU flags" : "no \"hypervisor\" among " + flags.size() + " CPU flags");
                if (flags.contains("hypervisor")) {
                    return Examination.found("the CPU reports a hypervisor",
                            Finding.kind(Role.VM_GUEST, "vm-other", VmRanks.CPUINFO_FLAG, List.of(evidence)));
                }
                return Examination.nothing("the CPU reports no hypervisor", List.of(evidence));
            }
        }
        return Examination.nothing(CPUINFO + " has no flags line (not x86)",
                List.of(new Evidence(CPUINFO, "no flags line")));
    }
}
