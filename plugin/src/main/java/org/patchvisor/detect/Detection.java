package org.patchvisor.detect;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.patchvisor.kernel.KernelSupport;

/**
 * What the {@link Detector} concluded about this machine: every role that applies with the evidence for
 * it, every strategy attempt, the kernel's live-patch support, and what patchvisor will therefore do.
 *
 * @param roles         every role that applies, in {@link Role} order
 * @param evidence      per role, what was seen
 * @param attempts      every strategy's run, in the order they ran
 * @param vmGuestOf     the hypervisor this machine runs under, in systemd-detect-virt's words
 * @param containerKind the container manager this process runs under
 * @param members       per host role, how many containers or running guests it carries, when countable
 * @param support       whether this kernel can take a live patch
 */
public record Detection(List<Role> roles, Map<Role, List<Evidence>> evidence, List<Attempt> attempts,
                        Optional<String> vmGuestOf, Optional<String> containerKind, Map<Role, Integer> members,
                        KernelSupport support) {

    public Detection {
        roles = List.copyOf(roles.stream().sorted().distinct().toList());
        EnumMap<Role, List<Evidence>> copy = new EnumMap<>(Role.class);
        evidence.forEach((role, list) -> copy.put(role, List.copyOf(list)));
        evidence = Collections.unmodifiableMap(copy);
        attempts = List.copyOf(attempts);
        Objects.requireNonNull(vmGuestOf, "vmGuestOf");
        Objects.requireNonNull(containerKind, "containerKind");
        EnumMap<Role, Integer> counts = new EnumMap<>(Role.class);
        counts.putAll(members);
        members = Collections.unmodifiableMap(counts);
        Objects.requireNonNull(support, "support");
        for (Role role : roles) {
            if (!evidence.containsKey(role)) {
                throw new IllegalArgumentException("role without evidence: " + role);
            }
        }
        if (roles.contains(Role.VM_GUEST) != vmGuestOf.isPresent()) {
            throw new IllegalArgumentException("vm guest role and hypervisor must come together");
        }
        if (roles.contains(Role.CONTAINER) != containerKind.isPresent()) {
            throw new IllegalArgumentException("container role and container kind must come together");
        }
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** patchvisor must not patch from here: the kernel belongs to the host. */
    public boolean insideContainer() {
        return has(Role.CONTAINER);
    }

    /** Containers run on this very kernel, so one patch covers them all. */
    public boolean sharedKernelHost() {
        return !insideContainer() && roles.stream().anyMatch(Role::sharesKernel);
    }

    /** VMs with their own kernels run here; patches go to them through guest agents. */
    public boolean runsGuests() {
        return !insideContainer() && roles.stream().anyMatch(Role::runsGuests);
    }

    public OptionalInt members(Role role) {
        Integer count = members.get(role);
        return count == null ? OptionalInt.empty() : OptionalInt.of(count);
    }

    /**
     * The one line every kernel-changing command refuses with inside a container, where the kernel belongs to
     * the host; empty anywhere else.
     */
    public Optional<String> refusal() {
        if (!insideContainer()) {
            return Optional.empty();
        }
        String kind = containerKind.orElseThrow();
        return Optional.of("inside " + article(kind) + " " + kind
                + " container: live patches must be applied on the host (hardware node) instead");
    }

    /** One sentence: what patchvisor will do on this machine. */
    public String plan() {
        if (insideContainer()) {
            String kind = containerKind.orElseThrow();
            String host = kind.equals("openvz") ? "hardware node" : "host";
            return "refuse: inside " + article(kind) + " " + kind + " container, patch the " + host + " instead";
        }
        StringBuilder plan = new StringBuilder();
        if (!support.livepatch()) {
            plan.append("cannot patch this kernel: no live-patch support (/sys/kernel/livepatch is missing)");
        } else if (sharedKernelHost()) {
            plan.append("patch this kernel once; ").append(sharedBy());
        } else {
            plan.append("patch this kernel");
        }
        if (support.livepatch() && (support.sigEnforce() || support.lockedDown())) {
            plan.append(" with signed patches only (")
                    .append(support.sigEnforce() ? "sig_enforce=Y" : "lockdown=" + support.lockdown().orElseThrow())
                    .append(')');
        }
        if (runsGuests()) {
            plan.append("; dispatch guest agents to ").append(guests());
        }
        return plan.toString();
    }

    private String sharedBy() {
        int total = 0;
        for (Role role : roles) {
            if (role.sharesKernel()) {
                OptionalInt count = members(role);
                if (count.isEmpty()) {
                    return "all its containers share it";
                }
                total += count.getAsInt();
            }
        }
        return total == 1 ? "1 container shares it" : total + " containers share it";
    }

    private String guests() {
        int total = 0;
        for (Role role : roles) {
            if (role.runsGuests()) {
                OptionalInt count = members(role);
                if (count.isEmpty()) {
                    return "VMs";
                }
                total += count.getAsInt();
            }
        }
        return total == 1 ? "1 running VM" : total + " running VMs";
    }

    /** "an lxc", "an openvz", "a docker": lxc and rkt are spelled out, so they take "an" too. */
    private static String article(String kind) {
        boolean vowelSound = "aeiou".indexOf(kind.charAt(0)) >= 0 || kind.startsWith("lxc") || kind.equals("rkt");
        return vowelSound ? "an" : "a";
    }
}
