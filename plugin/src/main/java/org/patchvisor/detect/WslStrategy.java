package org.patchvisor.detect;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Inside WSL: the kernel release says "Microsoft" or "WSL" (Microsoft's documented test, used by systemd). */
final class WslStrategy implements DetectionStrategy {

    static final int RANK = 2;
    private static final String OSRELEASE = "/proc/sys/kernel/osrelease";

    @Override
    public String name() {
        return "wsl";
    }

    @Override
    public String description() {
        return "\"Microsoft\" or \"WSL\" in " + OSRELEASE;
    }

    @Override
    public int priority() {
        return 49;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.CONTAINER);
    }

    @Override
    public Examination examine(HostFiles files) throws IOException {
        Optional<String> release = files.firstLine(OSRELEASE);
        if (release.isEmpty()) {
            return Examination.nothing(OSRELEASE + " is absent");
        }
        Evidence evidence = new Evidence(OSRELEASE, "\"" + release.get() + "\"");
        if (release.get().contains("Microsoft") || release.get().contains("WSL")) {
            return Examination.found("a WSL kernel", Finding.kind(Role.CONTAINER, "wsl", RANK, List.of(evidence)));
        }
        return Examination.nothing("not a WSL kernel", List.of(evidence));
    }
}
