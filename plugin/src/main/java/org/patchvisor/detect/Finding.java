package org.patchvisor.detect;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One role a strategy found, with its evidence.
 *
 * @param role     the role
 * @param kind     the hypervisor (for {@link Role#VM_GUEST}) or container manager (for {@link Role#CONTAINER}),
 *                 in systemd-detect-virt's vocabulary ("kvm", "qemu", "lxc", "docker"...)
 * @param rank     among findings of the same role, the lowest rank decides the kind; it encodes the
 *                 precedence systemd's virt.c gives its checks, which is not the order they run in
 * @param members  how many containers or running guests this host carries, when the strategy can count them
 * @param evidence what was seen
 */
public record Finding(Role role, Optional<String> kind, int rank, OptionalInt members, List<Evidence> evidence) {

    public Finding {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(members, "members");
        evidence = List.copyOf(evidence);
        if (evidence.isEmpty()) {
            throw new IllegalArgumentException("a finding needs evidence: " + role);
        }
    }

    public static Finding of(Role role, List<Evidence> evidence) {
        return new Finding(role, Optional.empty(), 0, OptionalInt.empty(), evidence);
    }

    public static Finding kind(Role role, String kind, int rank, List<Evidence> evidence) {
        return new Finding(role, Optional.of(kind), rank, OptionalInt.empty(), evidence);
    }

    public static Finding counted(Role role, OptionalInt members, List<Evidence> evidence) {
        return new Finding(role, Optional.empty(), 0, members, evidence);
    }
}
