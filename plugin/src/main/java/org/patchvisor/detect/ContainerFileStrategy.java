package org.patchvisor.detect;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Inside a container whose manager left its name in a file: {@code /run/host/container-manager} (the
 * container interface's /run/host hierarchy) or {@code /run/systemd/container} (written by systemd as PID 1
 * from its {@code container=} variable). One line, e.g. "lxc", "systemd-nspawn".
 */
final class ContainerFileStrategy implements DetectionStrategy {

    private final String name;
    private final String path;
    private final int priority;
    private final int rank;

    private ContainerFileStrategy(String name, String path, int priority, int rank) {
        this.name = name;
        this.path = path;
        this.priority = priority;
        this.rank = rank;
    }

    static ContainerFileStrategy hostContainerManager() {
        return new ContainerFileStrategy("host-container-manager", "/run/host/container-manager", 48, 3);
    }

    static ContainerFileStrategy systemdContainer() {
        return new ContainerFileStrategy("systemd-container", "/run/systemd/container", 47, 4);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "container manager named in " + path;
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
        Optional<String> value = files.firstLine(path);
        if (value.isEmpty() || value.get().isEmpty()) {
            return Examination.nothing(path + (value.isEmpty() ? " is absent" : " is empty"));
        }
        String kind = value.get().equals(ContainerNames.OCI)
                ? MarkerFileStrategy.managerFromMarkers(files).orElse(ContainerNames.OTHER)
                : ContainerNames.kind(value.get());
        return Examination.found(path + " names " + kind,
                Finding.kind(Role.CONTAINER, kind, rank, List.of(new Evidence(path, "\"" + value.get() + "\""))));
    }
}
