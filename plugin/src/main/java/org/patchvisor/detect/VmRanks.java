package org.patchvisor.detect;

/**
 * Which hypervisor answer wins when several disagree, following the order of systemd's
 * {@code detect_vm()} (src/basic/virt.c): vendors that run on top of KVM or cloak as Hyper-V are trusted
 * from DMI first, then Xen's /proc/xen, then CPUID, then the rest of DMI, then /sys/hypervisor/type;
 * a bare Hyper-V CPUID signature and the cpuinfo flag are only fallbacks. Lower wins.
 */
final class VmRanks {
    static final int DMI_DECISIVE = 10;
    static final int XEN_DOMAIN = 20;
    static final int CPUID = 30;
    static final int DMI = 40;
    static final int SYS_HYPERVISOR = 50;
    static final int CPUID_HYPERV = 60;
    static final int CPUINFO_FLAG = 70;

    private VmRanks() {
    }
}
