package org.patchvisor.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of every command that reaches guests: which hypervisor connections to use. */
public final class GuestOptions {
    @Option(names = {"-c", "--connect"}, paramLabel = "URI",
            description = "Hypervisor connection URI (libvirt: qemu:///system, qemu+ssh://host/system); repeatable. "
                    + "Default: the adapters' own (qemu:///system).")
    List<String> uris = new ArrayList<>();

    public List<String> uris() {
        return List.copyOf(uris);
    }
}
