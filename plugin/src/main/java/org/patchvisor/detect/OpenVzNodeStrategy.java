package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * OpenVZ/Virtuozzo hardware node: both {@code /proc/vz} and {@code /proc/bc} (beancounters, visible on
 * the node only — the rule systemd's detect_container() relies on). Running containers are the lines of
 * {@code /proc/vz/veinfo} whose first field (the CT ID, as vzctl parses it) is not 0, the node itself.
 */
final class OpenVzNodeStrategy implements DetectionStrategy {

    private static final String VZ = "/proc/vz";
    private static final String BC = "/proc/bc";
    private static final String VERSION = "/proc/vz/version";
    private static final String VEINFO = "/proc/vz/veinfo";

    @Override
    public String name() {
        return "openvz-node";
    }

    @Override
    public String description() {
        return VZ + " and " + BC + " both present; " + VERSION + " and " + VEINFO + " for detail";
    }

    @Override
    public int priority() {
        return 65;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.OPENVZ_NODE);
    }

    @Override
    public Optional<String> skipReason(HostFiles files) {
        return files.exists(VZ) ? Optional.empty() : Optional.of(VZ + " is absent (not an OpenVZ kernel)");
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        if (!files.exists(BC)) {
            return Examination.nothing(VZ + " without " + BC + " is a container, not the node",
                    List.of(new Evidence(VZ, "present"), new Evidence(BC, "absent")));
        }
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(VZ, "present"));
        evidence.add(new Evidence(BC, "present"));
        files.firstLine(VERSION).ifPresent(v -> evidence.add(new Evidence(VERSION, "\"" + v + "\"")));
        OptionalInt containers = OptionalInt.empty();
        Optional<String> veinfo = files.read(VEINFO);
        if (veinfo.isPresent()) {
            int count = 0;
            for (String line : veinfo.get().split("\n")) {
                String[] fields = line.trim().split("\\s+");
                if (!fields[0].isEmpty() && !fields[0].equals("0")) {
                    count++;
                }
            }
            containers = OptionalInt.of(count);
            evidence.add(new Evidence(VEINFO, count + " running container(s)"));
        }
        return Examination.found("OpenVZ hardware node", Finding.counted(Role.OPENVZ_NODE, containers, evidence));
    }
}
