package org.patchvisor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every documented machine kind, from its fixture tree, through the standard chain. */
class DetectorFixturesTest {

    private static final Cpuid NO_CPUID = Cpuid.none("fixture");

    static Stream<Arguments> machines() {
        return Stream.of(
                // fixture, CPUID, roles, hypervisor, container, plan
                Arguments.of("bare-metal", Fixtures.hardwareCpuid(), List.of("bare metal"), null, null,
                        "patch this kernel"),
                Arguments.of("kvm-host", Fixtures.hardwareCpuid(), List.of("bare metal", "kvm host"), null, null,
                        "patch this kernel; dispatch guest agents to 2 running VMs"),
                Arguments.of("kvm-host-guest", Fixtures.guestCpuid("KVMKVMKVM"), List.of("vm guest", "kvm host"),
                        "kvm", null, "cannot patch this kernel: no live-patch support (/sys/kernel/livepatch is missing);"
                                + " dispatch guest agents to VMs"),
                Arguments.of("xen-dom0", Fixtures.guestCpuid("XenVMMXenVMM"), List.of("bare metal", "xen dom0"),
                        null, null, "patch this kernel; dispatch guest agents to VMs"),
                Arguments.of("xen-domu", Fixtures.guestCpuid("XenVMMXenVMM"), List.of("vm guest"), "xen", null,
                        "patch this kernel"),
                Arguments.of("openvz-node", Fixtures.hardwareCpuid(), List.of("bare metal", "openvz node"), null, null,
                        "patch this kernel once; 3 containers share it"),
                Arguments.of("openvz-container", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "openvz", "refuse: inside an openvz container, patch the hardware node instead"),
                Arguments.of("lxc-run-systemd", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "lxc", "refuse: inside an lxc container, patch the host instead"),
                Arguments.of("lxc-environ", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "lxc", "refuse: inside an lxc container, patch the host instead"),
                Arguments.of("docker", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "docker", "refuse: inside a docker container, patch the host instead"),
                Arguments.of("docker-leftover", Fixtures.guestCpuid("KVMKVMKVM"), List.of("vm guest"), "kvm", null,
                        "cannot patch this kernel: no live-patch support (/sys/kernel/livepatch is missing)"),
                Arguments.of("podman", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "podman", "refuse: inside a podman container, patch the host instead"),
                Arguments.of("nspawn", Fixtures.hardwareCpuid(), List.of("bare metal", "container"), null,
                        "systemd-nspawn", "refuse: inside a systemd-nspawn container, patch the host instead"),
                Arguments.of("qemu-kvm-guest", Fixtures.guestCpuid("KVMKVMKVM"), List.of("vm guest"), "kvm", null,
                        "cannot patch this kernel: no live-patch support (/sys/kernel/livepatch is missing)"),
                Arguments.of("vmware", Fixtures.guestCpuid("VMwareVMware"), List.of("vm guest"), "vmware", null,
                        "patch this kernel"),
                Arguments.of("hyper-v", Fixtures.guestCpuid("Microsoft Hv"), List.of("vm guest"), "microsoft", null,
                        "patch this kernel with signed patches only (sig_enforce=Y)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machines")
    void detectsEachMachineKind(String fixture, Cpuid cpuid, List<String> roles, String hypervisor, String container,
                                String plan) throws IOException {
        Detection detection = Fixtures.detect(fixture, cpuid);

        assertEquals(roles, Fixtures.roleNames(detection));
        assertEquals(Optional.ofNullable(hypervisor), detection.vmGuestOf());
        assertEquals(Optional.ofNullable(container), detection.containerKind());
        assertEquals(container != null, detection.insideContainer());
        assertEquals(plan, detection.plan());
        assertEquals(Detector.standardChain(cpuid).size(), detection.attempts().size(), "every strategy is reported");
        for (Role role : detection.roles()) {
            assertFalse(detection.evidence().get(role).isEmpty(), "evidence for " + role);
        }
    }

    @Test
    void qemuWithoutKvmIsTcgByCpuidOverDmi() throws IOException {
        Detection detection = Fixtures.detect("qemu-kvm-guest", Fixtures.guestCpuid("TCGTCGTCGTCG"));

        assertEquals(Optional.of("qemu"), detection.vmGuestOf());
    }

    @Test
    void withoutCpuidDmiNamesTheHypervisor() throws IOException {
        assertEquals(Optional.of("qemu"), Fixtures.detect("qemu-kvm-guest", NO_CPUID).vmGuestOf());
        assertEquals(Optional.of("vmware"), Fixtures.detect("vmware", NO_CPUID).vmGuestOf());
        assertEquals(Optional.of("microsoft"), Fixtures.detect("hyper-v", NO_CPUID).vmGuestOf());
    }

    @Test
    void xenDmiOutranksCpuidLikeSystemd() throws IOException {
        // A Xen HVM guest with viridian enabled shows the Hyper-V signature; DMI "Xen" decides first.
        Detection detection = Fixtures.detect("xen-domu", Fixtures.guestCpuid("Microsoft Hv"));

        assertEquals(Optional.of("xen"), detection.vmGuestOf());
    }

    @Test
    void xenDomUIsToldApartByFeatureBit() throws IOException {
        Detection detection = Fixtures.detect("xen-domu", NO_CPUID);

        assertTrue(detection.evidence().get(Role.VM_GUEST).stream()
                .anyMatch(e -> e.path().equals("/sys/hypervisor/properties/features") && e.seen().endsWith("clear")));
    }

    @Test
    void dom0IsNotAGuestOfItsOwnHypervisor() throws IOException {
        Detection detection = Fixtures.detect("xen-dom0", Fixtures.guestCpuid("XenVMMXenVMM"));

        assertFalse(detection.has(Role.VM_GUEST));
        assertTrue(detection.evidence().get(Role.XEN_DOM0).contains(
                new Evidence("/proc/xen/capabilities", "\"control_d\" contains control_d")));
    }

    @Test
    void kvmHostCountsRunningGuestsAndShowsLibvirt() throws IOException {
        Detection detection = Fixtures.detect("kvm-host", Fixtures.hardwareCpuid());

        assertEquals(2, detection.members(Role.KVM_HOST).getAsInt());
        assertTrue(detection.runsGuests());
        assertTrue(detection.evidence().get(Role.KVM_HOST).contains(
                new Evidence("/run/libvirt/libvirt-sock", "present (libvirt)")));
    }

    @Test
    void openVzNodeIsASharedKernelHost() throws IOException {
        Detection detection = Fixtures.detect("openvz-node", Fixtures.hardwareCpuid());

        assertTrue(detection.sharedKernelHost());
        assertEquals(3, detection.members(Role.OPENVZ_NODE).getAsInt());
        assertTrue(detection.evidence().get(Role.OPENVZ_NODE).contains(new Evidence("/proc/vz/version", "\"7.0.0\"")));
    }

    @Test
    void openVzContainerReportsItsEnvId() throws IOException {
        Detection detection = Fixtures.detect("openvz-container", NO_CPUID);

        assertTrue(detection.evidence().get(Role.CONTAINER).contains(
                new Evidence("/proc/self/status", "envID: 101 (container ID)")));
        assertFalse(detection.sharedKernelHost());
    }

    @Test
    void environVariantReadsNulSeparatedEntries() throws IOException {
        Detection detection = Fixtures.detect("lxc-environ", NO_CPUID);

        assertEquals(List.of(new Evidence("/proc/1/environ", "container=lxc")), detection.evidence().get(Role.CONTAINER));
    }

    @Test
    void dockerEnvInTheInitialPidNamespaceIsALeftover() throws IOException {
        Detection detection = Fixtures.detect("docker-leftover", NO_CPUID);

        assertFalse(detection.insideContainer());
        Attempt docker = detection.attempts().stream().filter(a -> a.strategy().equals("docker-marker"))
                .findFirst().orElseThrow();
        assertEquals(Attempt.Outcome.NOT_APPLIED, docker.outcome());
        assertTrue(docker.reason().contains("leftover"), docker.reason());
    }

    @Test
    void livePatchFactsComeFromTheRoot() throws IOException {
        Detection detection = Fixtures.detect("hyper-v", NO_CPUID);

        assertTrue(detection.support().livepatch());
        assertTrue(detection.support().sigEnforce());
        assertEquals(Optional.of("integrity"), detection.support().lockdown());
        assertEquals(32768, detection.support().taint());
    }

    @Test
    void bareMetalCarriesTheNegativeEvidence() throws IOException {
        Detection detection = Fixtures.detect("bare-metal", Fixtures.hardwareCpuid());

        List<Evidence> evidence = detection.evidence().get(Role.BARE_METAL);
        assertTrue(evidence.contains(new Evidence("/sys/class/dmi/id/product_name", "\"PowerEdge R640\" (no VM vendor)")));
        assertTrue(evidence.stream().anyMatch(e -> e.seen().contains("hypervisor bit 31 clear")));
    }
}
