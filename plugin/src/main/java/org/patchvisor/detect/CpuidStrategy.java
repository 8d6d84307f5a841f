package org.patchvisor.detect;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * VM guest by CPUID: leaf 1 ECX bit 31 says a hypervisor is present, leaf 0x40000000 names it. The
 * signatures are systemd virt.c's {@code vm_table}. "Microsoft Hv" ranks low because QEMU with Hyper-V
 * enlightenments shows it too; DMI then tells the truth.
 */
final class CpuidStrategy implements DetectionStrategy {

    private static final Map<String, String> SIGNATURES = Map.ofEntries(
            Map.entry("XenVMMXenVMM", "xen"),
            Map.entry("KVMKVMKVM", "kvm"),
            Map.entry("Linux KVM Hv", "kvm"),
            Map.entry("TCGTCGTCGTCG", "qemu"),
            Map.entry("VMwareVMware", "vmware"),
            Map.entry("Microsoft Hv", "microsoft"),
            Map.entry("bhyve bhyve ", "bhyve"),
            Map.entry("QNXQVMBSQG", "qnx"),
            Map.entry("ACRNACRNACRN", "acrn"),
            Map.entry("SRESRESRESRE", "sre"),
            Map.entry("Apple VZ", "apple"));

    private final Cpuid cpuid;

    CpuidStrategy(Cpuid cpuid) {
        this.cpuid = cpuid;
    }

    @Override
    public String name() {
        return "cpuid";
    }

    @Override
    public String description() {
        return "CPUID leaf 1 hypervisor bit and leaf 0x40000000 vendor via " + cpuid.source();
    }

    @Override
    public int priority() {
        return 90;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.VM_GUEST);
    }

    @Override
    public Optional<String> skipReason(HostFiles files) {
        return cpuid.unavailableReason();
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        CpuidRegisters features = cpuid.leaf(Cpuid.FEATURES_LEAF);
        if (!features.hypervisorBit()) {
            return Examination.nothing("no hypervisor present",
                    List.of(new Evidence(cpuid.source(), "leaf 0x1 ECX=0x" + Integer.toHexString(features.ecx())
                            + ": hypervisor bit 31 clear")));
        }
        String signature = cpuid.leaf(Cpuid.HYPERVISOR_LEAF).vendorSignature();
        String kind = SIGNATURES.getOrDefault(signature, "vm-other");
        int rank = kind.equals("microsoft") ? VmRanks.CPUID_HYPERV : VmRanks.CPUID;
        Evidence bit = new Evidence(cpuid.source(), "leaf 0x1 ECX bit 31 (hypervisor) set");
        Evidence vendor = new Evidence(cpuid.source(), "leaf 0x40000000 vendor \"" + printable(signature) + "\"");
        return Examination.found("CPUID names " + kind, Finding.kind(Role.VM_GUEST, kind, rank, List.of(bit, vendor)));
    }

    private static String printable(String signature) {
        StringBuilder out = new StringBuilder();
        for (char c : signature.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
