package org.patchvisor.adapter.openvz;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The kernel's list of running containers, {@code /proc/vz/veinfo}: one line per running environment,
 * {@code CTID class numproc [IP...]} (the fields vzctl's get_env_ip_proc() reads). CT ID 0 is the node itself.
 * OpenVZ 7 prints container names or UUIDs in the first field, older kernels numbers.
 */
final class VeInfo {
    private VeInfo() {
    }

    static Set<String> runningContainers(String text) {
        Set<String> ids = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (!fields[0].isEmpty() && !fields[0].equals("0")) {
                ids.add(fields[0]);
            }
        }
        return ids;
    }
}
