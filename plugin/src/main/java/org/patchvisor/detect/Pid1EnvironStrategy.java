package org.patchvisor.detect;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Inside a container whose init is not systemd: the {@code container=} variable every container manager
 * sets in PID 1's environment, read from {@code /proc/1/environ} (NUL-separated, proc(5)). Reading it needs
 * ptrace rights over PID 1; when refused, systemd ignores this check and so do we.
 */
final class Pid1EnvironStrategy implements DetectionStrategy {

    static final int RANK = 5;
    private static final String ENVIRON = "/proc/1/environ";

    @Override
    public String name() {
        return "pid1-environ";
    }

    @Override
    public String description() {
        return "container= in PID 1's environment (" + ENVIRON + ")";
    }

    @Override
    public int priority() {
        return 46;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.CONTAINER);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        Optional<String> environ;
        try {
            environ = files.read(ENVIRON);
        } catch (AccessDeniedException e) {
            return Examination.nothing(ENVIRON + " is unreadable (permission denied), check ignored",
                    List.of(new Evidence(ENVIRON, "permission denied")));
        }
        if (environ.isEmpty()) {
            return Examination.nothing(ENVIRON + " is absent");
        }
        for (String entry : environ.get().split("\0")) {
            if (entry.startsWith("container=")) {
                String value = entry.substring("container=".length());
                Evidence evidence = new Evidence(ENVIRON, "container=" + value);
                if (value.isEmpty()) {
                    return Examination.nothing("container= is empty: PID 1 says no container", List.of(evidence));
                }
                String kind = value.equals(ContainerNames.OCI)
                        ? MarkerFileStrategy.managerFromMarkers(files).orElse(ContainerNames.OTHER)
                        : ContainerNames.kind(value);
                return Examination.found("PID 1 runs in " + kind,
                        Finding.kind(Role.CONTAINER, kind, RANK, List.of(evidence)));
            }
        }
        return Examination.nothing("no container= in PID 1's environment",
                List.of(new Evidence(ENVIRON, "no container= variable")));
    }
}
