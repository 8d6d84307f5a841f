package org.patchvisor.adapter.lxc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;

/**
 * Containers on this kernel: every running one found by its PID namespace ({@link ProcScanner}), plus the
 * stopped ones LXC ({@code /var/lib/lxc/NAME/config}) and libvirt-lxc ({@code /etc/libvirt/lxc/NAME.xml})
 * define. They share the host kernel, so none is ever entered: one host patch covers them all.
 */
final class LxcAdapter implements HypervisorAdapter {
    static final String NAME = "lxc";

    private final Path root;

    LxcAdapter(Path root) {
        this.root = root;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean sharesHostKernel() {
        return true;
    }

    @Override
    public List<Guest> guests() throws IOException {
        List<Guest> guests = new ArrayList<>();
        Set<String> running = new TreeSet<>();
        for (ContainerInit init : new ProcScanner(root).containers()) {
            guests.add(new Guest(NAME, init.id(), init.name(), Guest.State.RUNNING, Map.of()));
            init.managedName().ifPresent(running::add);
        }
        for (String defined : defined()) {
            if (!running.contains(defined)) {
                guests.add(new Guest(NAME, defined, defined, Guest.State.STOPPED, Map.of()));
            }
        }
        return guests;
    }

    private Set<String> defined() throws IOException {
        Set<String> names = new TreeSet<>();
        Path lxc = root.resolve("var/lib/lxc");
        if (Files.isDirectory(lxc)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(lxc)) {
                for (Path dir : dirs) {
                    if (Files.isRegularFile(dir.resolve("config"))) {
                        names.add(dir.getFileName().toString());
                    }
                }
            }
        }
        Path libvirt = root.resolve("etc/libvirt/lxc");
        if (Files.isDirectory(libvirt)) {
            try (DirectoryStream<Path> xmls = Files.newDirectoryStream(libvirt, "*.xml")) {
                for (Path xml : xmls) {
                    String file = xml.getFileName().toString();
                    names.add(file.substring(0, file.length() - ".xml".length()));
                }
            }
        }
        return names;
    }

    @Override
    public void close() {
        // Nothing held: each listing reads /proc afresh.
    }
}
