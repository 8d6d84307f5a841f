package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * VM guest by the firmware's DMI strings, with systemd virt.c's {@code dmi_vendor_table}: the first file
 * (in systemd's order) whose value starts with a known vendor decides. EC2 bare-metal instances also say
 * "Amazon EC2"; their product name ends in ".metal", which systemd uses as the tie-breaker too.
 */
final class DmiVendorStrategy implements DetectionStrategy {

    private static final String DMI = "/sys/class/dmi/id";
    /** product_name first, so "KVM" wins over the "QEMU" sys_vendor of the same guest. */
    private static final List<String> FILES =
            List.of("product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version");
    private static final List<String[]> VENDORS = List.of(
            new String[] {"KVM", "kvm"},
            new String[] {"OpenStack", "kvm"},
            new String[] {"KubeVirt", "kvm"},
            new String[] {"Amazon EC2", "amazon"},
            new String[] {"QEMU", "qemu"},
            new String[] {"VMware", "vmware"},
            new String[] {"VMW", "vmware"},
            new String[] {"innotek GmbH", "oracle"},
            new String[] {"VirtualBox", "oracle"},
            new String[] {"Oracle Corporation", "oracle"},
            new String[] {"Xen", "xen"},
            new String[] {"Bochs", "bochs"},
            new String[] {"Parallels", "parallels"},
            new String[] {"BHYVE", "bhyve"},
            new String[] {"Hyper-V", "microsoft"},
            new String[] {"Apple Virtualization", "apple"},
            new String[] {"Google Compute Engine", "google"});
    /** Trusted from DMI before CPUID: they run on KVM or cloak as Hyper-V, so CPUID alone would mislabel them. */
    private static final Set<String> DECISIVE = Set.of("oracle", "xen", "amazon", "parallels", "google");

    @Override
    public String name() {
        return "dmi";
    }

    @Override
    public String description() {
        return "DMI vendor strings in " + DMI + " (systemd dmi_vendor_table)";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.VM_GUEST);
    }

    @Override
    public Optional<String> skipReason(HostFiles files) {
        return files.isDirectory(DMI) ? Optional.empty() : Optional.of(DMI + " is absent (no DMI firmware tables)");
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        List<Evidence> observed = new ArrayList<>();
        for (String file : FILES) {
            String path = DMI + "/" + file;
            Optional<String> value = files.firstLine(path);
            if (value.isEmpty()) {
                continue;
            }
            for (String[] vendor : VENDORS) {
                if (value.get().startsWith(vendor[0])) {
                    Evidence evidence = new Evidence(path, "\"" + value.get() + "\" starts with \"" + vendor[0] + "\"");
                    return decide(files, vendor[1], evidence, observed);
                }
            }
            observed.add(new Evidence(path, "\"" + value.get() + "\" (no VM vendor)"));
        }
        return Examination.nothing("no DMI string names a hypervisor vendor", observed);
    }

    private Examination decide(HostFiles files, String kind, Evidence evidence, List<Evidence> observed)
            throws IOException {
        if (kind.equals("amazon")) {
            Optional<String> product = files.firstLine(DMI + "/product_name");
            if (product.isPresent() && product.get().matches(".*\\.metal(-.*)?")) {
                observed.add(evidence);
                observed.add(new Evidence(DMI + "/product_name", "\"" + product.get() + "\" is an EC2 bare-metal instance"));
                return Examination.nothing("Amazon EC2 bare-metal instance, not a VM", observed);
            }
        }
        int rank = DECISIVE.contains(kind) ? VmRanks.DMI_DECISIVE : VmRanks.DMI;
        return Examination.found("DMI names " + kind, Finding.kind(Role.VM_GUEST, kind, rank, List.of(evidence)));
    }
}
