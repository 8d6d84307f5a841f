package org.patchvisor.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * LXC host: containers defined for LXC ({@code /var/lib/lxc/<name>/config}, lxc.container.conf(5)) or for
 * libvirt's LXC driver ({@code /etc/libvirt/lxc/<name>.xml}). They all run on this kernel.
 */
final class LxcHostStrategy implements DetectionStrategy {

    private static final String LXC = "/var/lib/lxc";
    private static final String LIBVIRT_LXC = "/etc/libvirt/lxc";

    @Override
    public String name() {
        return "lxc-host";
    }

    @Override
    public String description() {
        return "containers defined in " + LXC + "/*/config or " + LIBVIRT_LXC + "/*.xml";
    }

    @Override
    public int priority() {
        return 60;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.LXC_HOST);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        List<Evidence> evidence = new ArrayList<>();
        int lxc = 0;
        for (String name : files.list(LXC)) {
            if (files.exists(LXC + "/" + name + "/config")) {
                lxc++;
            }
        }
        if (lxc > 0) {
            evidence.add(new Evidence(LXC, lxc + " container(s) with a config"));
        }
        long libvirt = files.list(LIBVIRT_LXC).stream().filter(n -> n.endsWith(".xml")).count();
        if (libvirt > 0) {
            evidence.add(new Evidence(LIBVIRT_LXC, libvirt + " libvirt LXC domain(s)"));
        }
        int count = lxc + (int) libvirt;
        if (count == 0) {
            return Examination.nothing("no LXC containers defined");
        }
        return Examination.found("LXC containers share this kernel",
                Finding.counted(Role.LXC_HOST, OptionalInt.of(count), evidence));
    }
}
