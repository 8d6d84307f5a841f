package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Inside a container by a marker file its engine creates: {@code /run/.containerenv} (podman) or
 * {@code /.dockerenv} (docker). systemd checks these last because such files can survive into a filesystem
 * image that is later booted as a VM or on metal. We add one cheap corroboration: both engines start the
 * container in a new PID namespace, so a marker seen from the initial PID namespace (the kernel's fixed
 * inode PROC_PID_INIT_INO = 4026531836, include/linux/proc_ns.h) is a leftover, not a container.
 */
final class MarkerFileStrategy implements DetectionStrategy {

    static final String PID_NS = "/proc/self/ns/pid";
    static final String INITIAL_PID_NS = "pid:[4026531836]";

    private final String path;
    private final String kind;
    private final int priority;
    private final int rank;

    private MarkerFileStrategy(String path, String kind, int priority, int rank) {
        this.path = path;
        this.kind = kind;
        this.priority = priority;
        this.rank = rank;
    }

    static MarkerFileStrategy podman() {
        return new MarkerFileStrategy("/run/.containerenv", "podman", 45, 6);
    }

    static MarkerFileStrategy docker() {
        return new MarkerFileStrategy("/.dockerenv", "docker", 44, 7);
    }

    /** Which engine's marker is present, podman before docker; for container=oci. */
    static Optional<String> managerFromMarkers(HostFiles files) {
        if (files.exists("/run/.containerenv")) {
            return Optional.of("podman");
        }
        return files.exists("/.dockerenv") ? Optional.of("docker") : Optional.empty();
    }

    @Override
    public String name() {
        return kind + "-marker";
    }

    @Override
    public String description() {
        return path + " (created by " + kind + "), unless seen from the initial PID namespace";
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.CONTAINER);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        if (!files.exists(path)) {
            return Examination.nothing(path + " is absent");
        }
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(path, "present"));
        Optional<String> namespace = files.linkTarget(PID_NS);
        if (namespace.isPresent()) {
            boolean initial = namespace.get().equals(INITIAL_PID_NS);
            evidence.add(new Evidence(PID_NS, namespace.get() + (initial
                    ? " is the initial PID namespace" : " is not the initial PID namespace")));
            if (initial) {
                return Examination.nothing(path + " is a leftover in the filesystem image: this process runs in "
                        + "the initial PID namespace, which no " + kind + " container does", evidence);
            }
        }
        return Examination.found(path + " marks a " + kind + " container",
                Finding.kind(Role.CONTAINER, kind, rank, evidence));
    }
}
