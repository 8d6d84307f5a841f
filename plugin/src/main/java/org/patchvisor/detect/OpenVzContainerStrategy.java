package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Inside an OpenVZ/Virtuozzo container: {@code /proc/vz} without {@code /proc/bc} (systemd's first container
 * check). The {@code envID:} line of {@code /proc/self/status} (the CT ID; 0 on the node) backs it up.
 */
final class OpenVzContainerStrategy implements DetectionStrategy {

    static final int RANK = 1;
    private static final String VZ = "/proc/vz";
    private static final String BC = "/proc/bc";
    private static final String STATUS = "/proc/self/status";

    @Override
    public String name() {
        return "openvz-container";
    }

    @Override
    public String description() {
        return VZ + " present but " + BC + " absent; envID in " + STATUS;
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.CONTAINER);
    }

    @Override
    public Optional<String> skipReason(HostFiles files) {
        return files.exists(VZ) ? Optional.empty() : Optional.of(VZ + " is absent (not an OpenVZ kernel)");
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        Optional<String> envId = envId(files);
        if (files.exists(BC)) {
            List<Evidence> seen = new ArrayList<>(List.of(new Evidence(BC, "present (only the node has it)")));
            envId.ifPresent(id -> seen.add(new Evidence(STATUS, "envID: " + id)));
            return Examination.nothing("this is the hardware node", seen);
        }
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(VZ, "present"));
        evidence.add(new Evidence(BC, "absent"));
        envId.ifPresent(id -> evidence.add(new Evidence(STATUS, "envID: " + id
                + (id.equals("0") ? " (unexpected on a container)" : " (container ID)"))));
        return Examination.found("inside an OpenVZ container",
                Finding.kind(Role.CONTAINER, "openvz", RANK, evidence));
    }

    private static Optional<String> envId(HostFiles files) throws IOException {
        Optional<String> status = files.read(STATUS);
        if (status.isEmpty()) {
            return Optional.empty();
        }
        for (String line : status.get().split("\n")) {
            if (line.startsWith("envID:")) {
                return Optional.of(line.substring("envID:".length()).trim());
            }
        }
        return Optional.empty();
    }
}
