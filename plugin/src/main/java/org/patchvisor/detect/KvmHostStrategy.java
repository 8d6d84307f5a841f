package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * KVM host: {@code /dev/kvm} exists (kvm module loaded, VMs can run here). libvirt's socket and config
 * directory are supporting evidence; libvirt's per-domain status files in {@code /run/libvirt/qemu/*.xml}
 * (written for running domains only) give the number of running guests.
 */
final class KvmHostStrategy implements DetectionStrategy {

    private static final String DEV_KVM = "/dev/kvm";
    private static final List<String> LIBVIRT = List.of(
            "/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock", "/etc/libvirt");
    private static final String RUNNING = "/run/libvirt/qemu";

    @Override
    public String name() {
        return "kvm-host";
    }

    @Override
    public String description() {
        return DEV_KVM + " present, with libvirt (" + String.join(", ", LIBVIRT) + ") as supporting evidence";
    }

    @Override
    public int priority() {
        return 70;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.KVM_HOST);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        if (!files.exists(DEV_KVM)) {
            return Examination.nothing(DEV_KVM + " is absent", List.of(new Evidence(DEV_KVM, "absent")));
        }
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(DEV_KVM, "present"));
        for (String path : LIBVIRT) {
            if (files.exists(path)) {
                evidence.add(new Evidence(path, "present (libvirt)"));
            }
        }
        OptionalInt running = OptionalInt.empty();
        if (files.isDirectory(RUNNING)) {
            long count = files.list(RUNNING).stream().filter(n -> n.endsWith(".xml")).count();
            running = OptionalInt.of((int) count);
            evidence.add(new Evidence(RUNNING, count + " running domain status file(s)"));
        }
        return Examination.found("KVM is available", Finding.counted(Role.KVM_HOST, running, evidence));
    }
}
