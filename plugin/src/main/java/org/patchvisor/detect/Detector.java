package org.patchvisor.detect;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.kernel.KernelSupport;

/**
 * Works out what this machine is by running a chain of {@link DetectionStrategy}s over a filesystem root,
 * highest priority first, and combining what they found. Unlike a first-match resolver every strategy
 * runs: a KVM host can also be a VM guest, and the report must show why each role was or was not taken.
 */
public final class Detector {

    private final List<DetectionStrategy> strategies;
    private final HostFiles files;

    public Detector(List<DetectionStrategy> strategies, HostFiles files) {
        List<DetectionStrategy> sorted = new ArrayList<>(strategies);
        sorted.sort(Comparator.comparingInt(DetectionStrategy::priority).reversed());
        this.strategies = List.copyOf(sorted);
        this.files = Objects.requireNonNull(files, "files");
    }

    /** The standard chain for this machine. */
    public static Detector standard() {
        return forRoot(Path.of("/"));
    }

    /** The standard chain over another root (a mounted image, a fixture), with CPUID from its /dev/cpu/0/cpuid. */
    public static Detector forRoot(Path root) {
        HostFiles files = new HostFiles(root);
        return new Detector(standardChain(new DevCpuid(files)), files);
    }

    /** Every strategy, in systemd-detect-virt's order where it has one. */
    public static List<DetectionStrategy> standardChain(Cpuid cpuid) {
        return List.of(
                new DmiVendorStrategy(),
                new XenStrategy(),
                new CpuidStrategy(cpuid),
                new SysHypervisorStrategy(),
                new CpuinfoFlagStrategy(),
                new KvmHostStrategy(),
                new OpenVzNodeStrategy(),
                new LxcHostStrategy(),
                new OpenVzContainerStrategy(),
                new WslStrategy(),
                ContainerFileStrategy.hostContainerManager(),
                ContainerFileStrategy.systemdContainer(),
                new Pid1EnvironStrategy(),
                MarkerFileStrategy.podman(),
                MarkerFileStrategy.docker());
    }

    public List<DetectionStrategy> strategies() {
        return strategies;
    }

    /**
     * Runs the chain. A strategy that cannot read its files is recorded as failed and the rest still run;
     * only the live-patch facts, which every plan depends on, fail the whole detection.
     */
    public Detection detect() throws IOException {
        List<Attempt> attempts = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        List<Evidence> noHypervisor = new ArrayList<>();
        for (DetectionStrategy strategy : strategies) {
            Attempt attempt = run(strategy, findings);
            attempts.add(attempt);
            if (strategy.roles().contains(Role.VM_GUEST) && attempt.outcome() != Attempt.Outcome.APPLIED) {
                noHypervisor.addAll(attempt.evidence());
            }
        }
        return combine(findings, attempts, noHypervisor, LivePatchFacts.read(files));
    }

    private Attempt run(DetectionStrategy strategy, List<Finding> findings) {
        Optional<String> skip = strategy.skipReason(files);
        if (skip.isPresent()) {
            return attempt(strategy, Attempt.Outcome.SKIPPED, skip.get(), List.of());
        }
        Examination examination;
        try {
            examination = strategy.examine(files);
        } catch (IOException | DetectionException e) {
            return attempt(strategy, Attempt.Outcome.FAILED, describe(e), List.of());
        }
        findings.addAll(examination.findings());
        Attempt.Outcome outcome = examination.findings().isEmpty() ? Attempt.Outcome.NOT_APPLIED : Attempt.Outcome.APPLIED;
        return attempt(strategy, outcome, examination.reason(), examination.observed());
    }

    private static Attempt attempt(DetectionStrategy s, Attempt.Outcome outcome, String reason, List<Evidence> seen) {
        return new Attempt(s.name(), s.description(), s.priority(), outcome, reason, seen);
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return "cannot read " + denied.getFile() + ": permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Detection combine(List<Finding> all, List<Attempt> attempts, List<Evidence> noHypervisor,
                                     KernelSupport support) {
        boolean dom0 = all.stream().anyMatch(f -> f.role() == Role.XEN_DOM0);
        List<Finding> findings = new ArrayList<>();
        for (Finding finding : all) {
            // dom0 sees Xen's CPUID signature, /sys/hypervisor/type and the cpuinfo flag too, but it is the
            // host, not a guest; only evidence naming another hypervisor (nested Xen) keeps it a guest.
            boolean xenSelf = dom0 && finding.role() == Role.VM_GUEST
                    && (finding.kind().equals(Optional.of("xen")) || finding.rank() == VmRanks.CPUINFO_FLAG);
            if (!xenSelf) {
                findings.add(finding);
            }
        }
        Map<Role, List<Evidence>> evidence = new EnumMap<>(Role.class);
        Map<Role, Integer> members = new EnumMap<>(Role.class);
        for (Finding finding : findings) {
            evidence.computeIfAbsent(finding.role(), r -> new ArrayList<>()).addAll(finding.evidence());
            finding.members().ifPresent(n -> members.merge(finding.role(), n, Integer::sum));
        }
        Optional<String> hypervisor = decidingKind(findings, Role.VM_GUEST);
        if (hypervisor.isEmpty()) {
            evidence.put(Role.BARE_METAL, noHypervisor.isEmpty()
                    ? List.of(new Evidence("/", "no strategy found a hypervisor")) : noHypervisor);
        }
        return new Detection(new ArrayList<>(evidence.keySet()), evidence, attempts, hypervisor,
                decidingKind(findings, Role.CONTAINER), members, support);
    }

    private static Optional<String> decidingKind(List<Finding> findings, Role role) {
        return findings.stream()
                .filter(f -> f.role() == role && f.kind().isPresent())
                .min(Comparator.comparingInt(Finding::rank))
                .flatMap(Finding::kind);
    }
}
