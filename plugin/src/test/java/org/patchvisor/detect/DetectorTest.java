package org.patchvisor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain mechanics: ordering, skipping, failures, precedence between disagreeing strategies. */
class DetectorTest {

    @TempDir
    Path root;

    private record Stub(String name, int priority, Set<Role> roles, Optional<String> skip, Examination result,
                        IOException failure) implements DetectionStrategy {
        @Override
        public String description() {
            return "stub " + name;
        }

        @Override
        public Optional<String> skipReason(HostFiles files) {
            return skip;
        }

        @Override
        public Examination examine(HostFiles files) throws IOException {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    private static Stub finds(String name, int priority, Finding finding) {
        return new Stub(name, priority, Set.of(finding.role()), Optional.empty(), Examination.found("found", finding), null);
    }

    private static Finding guest(String kind, int rank) {
        return Finding.kind(Role.VM_GUEST, kind, rank, List.of(new Evidence("/x/" + kind, kind)));
    }

    @Test
    void runsEveryStrategyHighestPriorityFirstAndRecordsEachOutcome() throws IOException {
        Stub low = new Stub("low", 1, Set.of(Role.VM_GUEST), Optional.empty(),
                Examination.nothing("nothing here", List.of(new Evidence("/a", "b"))), null);
        Stub skipped = new Stub("skipped", 5, Set.of(Role.CONTAINER), Optional.of("no /proc/vz"), null, null);
        Stub broken = new Stub("broken", 3, Set.of(Role.CONTAINER), Optional.empty(), null,
                new java.nio.file.AccessDeniedException("/proc/1/environ"));
        Stub high = finds("high", 9, Finding.of(Role.KVM_HOST, List.of(new Evidence("/dev/kvm", "present"))));

        Detection detection = new Detector(List.of(low, skipped, broken, high), new HostFiles(root)).detect();

        assertEquals(List.of("high", "skipped", "broken", "low"),
                detection.attempts().stream().map(Attempt::strategy).toList());
        assertEquals(List.of(Attempt.Outcome.APPLIED, Attempt.Outcome.SKIPPED, Attempt.Outcome.FAILED,
                Attempt.Outcome.NOT_APPLIED), detection.attempts().stream().map(Attempt::outcome).toList());
        assertEquals("no /proc/vz", detection.attempts().get(1).reason());
        assertEquals("cannot read /proc/1/environ: permission denied", detection.attempts().get(2).reason());
        assertEquals(List.of(Role.BARE_METAL, Role.KVM_HOST), detection.roles());
        assertEquals(List.of(new Evidence("/a", "b")), detection.evidence().get(Role.BARE_METAL));
    }

    @Test
    void lowestRankDecidesTheHypervisorWhateverTheRunOrder() throws IOException {
        Stub first = finds("first", 10, guest("microsoft", VmRanks.CPUID_HYPERV));
        Stub second = finds("second", 5, guest("qemu", VmRanks.DMI));

        Detection detection = new Detector(List.of(first, second), new HostFiles(root)).detect();

        assertEquals(Optional.of("qemu"), detection.vmGuestOf());
        assertEquals(2, detection.evidence().get(Role.VM_GUEST).size(), "evidence of both is kept");
    }

    @Test
    void kvmHostThatIsAGuestHasBothRoles() throws IOException {
        Detection detection = new Detector(List.of(
                finds("cpuid", 2, guest("kvm", VmRanks.CPUID)),
                finds("kvm", 1, Finding.of(Role.KVM_HOST, List.of(new Evidence("/dev/kvm", "present"))))),
                new HostFiles(root)).detect();

        assertEquals(List.of(Role.VM_GUEST, Role.KVM_HOST), detection.roles());
        assertEquals("cannot patch this kernel: no live-patch support (/sys/kernel/livepatch is missing);"
                + " dispatch guest agents to VMs", detection.plan());
    }

    @Test
    void emptyRootIsBareMetalWithoutLivePatching() throws IOException {
        Detection detection = Detector.forRoot(root).detect();

        assertEquals(List.of(Role.BARE_METAL), detection.roles());
        assertTrue(detection.attempts().stream().anyMatch(a -> a.strategy().equals("cpuid")
                && a.outcome() == Attempt.Outcome.SKIPPED && a.reason().contains("/dev/cpu/0/cpuid is absent")));
    }

    @Test
    void garbageInASysfsFileIsOneClearError() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/security"));
        Files.writeString(root.resolve("sys/kernel/security/lockdown"), "whatever\n");

        DetectionException e = assertThrows(DetectionException.class, () -> Detector.forRoot(root).detect());
        assertEquals("/sys/kernel/security/lockdown holds \"whatever\", expected e.g. \"none [integrity] confidentiality\"",
                e.getMessage());
    }

    @Test
    void unknownContainerNameIsContainerOther() throws IOException {
        Files.createDirectories(root.resolve("run/systemd"));
        Files.writeString(root.resolve("run/systemd/container"), "garden\n");

        Detection detection = Detector.forRoot(root).detect();

        assertEquals(Optional.of("container-other"), detection.containerKind());
        assertEquals("refuse: inside a container-other container, patch the host instead", detection.plan());
    }

    @Test
    void ociContainerIsNamedByItsMarkerFile() throws IOException {
        Files.createDirectories(root.resolve("proc/1"));
        Files.write(root.resolve("proc/1/environ"), "container=oci\0HOME=/\0".getBytes());
        Files.createDirectories(root.resolve("run"));
        Files.writeString(root.resolve("run/.containerenv"), "");

        assertEquals(Optional.of("podman"), Detector.forRoot(root).detect().containerKind());
    }

    @Test
    void ec2BareMetalInstanceIsNotAGuest() throws IOException {
        Path dmi = Files.createDirectories(root.resolve("sys/class/dmi/id"));
        Files.writeString(dmi.resolve("product_name"), "c5.metal\n");
        Files.writeString(dmi.resolve("sys_vendor"), "Amazon EC2\n");

        Detection detection = Detector.forRoot(root).detect();

        assertEquals(List.of(Role.BARE_METAL), detection.roles());
    }

    @Test
    void ec2VirtualInstanceIsAnAmazonGuest() throws IOException {
        Path dmi = Files.createDirectories(root.resolve("sys/class/dmi/id"));
        Files.writeString(dmi.resolve("product_name"), "c5.large\n");
        Files.writeString(dmi.resolve("sys_vendor"), "Amazon EC2\n");

        assertEquals(Optional.of("amazon"), Detector.forRoot(root).detect().vmGuestOf());
    }

    @Test
    void lxcHostCountsItsContainers() throws IOException {
        for (String name : List.of("web", "db", "cache")) {
            Files.createDirectories(root.resolve("var/lib/lxc/" + name));
            Files.writeString(root.resolve("var/lib/lxc/" + name + "/config"), "lxc.uts.name = " + name + "\n");
        }
        Files.createDirectories(root.resolve("var/lib/lxc/not-a-container"));
        Files.createDirectories(root.resolve("sys/kernel/livepatch"));

        Detection detection = Detector.forRoot(root).detect();

        assertEquals(List.of(Role.BARE_METAL, Role.LXC_HOST), detection.roles());
        assertEquals("patch this kernel once; 3 containers share it", detection.plan());
    }
}
