package org.patchvisor.adapter.openvz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.patchvisor.kernel.KernelFiles;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.io.ProcessRunner;

/**
 * The containers of one OpenVZ/Virtuozzo hardware node. They all run on the node's kernel, so patchvisor never
 * enters them: it patches the node once and reports them covered. The list comes from {@code vzlist} (OpenVZ,
 * vzctl) or, where only Virtuozzo 7's {@code prlctl} exists, from {@code prlctl list}; without either tool, the
 * kernel's own {@code /proc/vz/veinfo} still names the running containers.
 */
public final class OpenVzAdapter implements HypervisorAdapter {
    static final String NAME = "openvz";
    static final String VZLIST = "vzlist";
    static final String PRLCTL = "prlctl";
    static final List<String> VZLIST_ARGV = List.of(VZLIST, "-a", "-H", "-o", "ctid,status,hostname");
    static final List<String> PRLCTL_ARGV = List.of(PRLCTL, "list", "-a", "-j", "--vmtype", "ct");
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final ProcessRunner processes;

    OpenVzAdapter(Path root, ProcessRunner processes) {
        this.root = root;
        this.processes = processes;
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
        if (processes.available(VZLIST)) {
            return VzlistOutput.parse(NAME, run(VZLIST_ARGV));
        }
        if (processes.available(PRLCTL)) {
            return PrlctlListOutput.parse(NAME, run(PRLCTL_ARGV));
        }
        List<Guest> running = new ArrayList<>();
        for (String ctid : runningInKernel()) {
            running.add(new Guest(NAME, ctid, ctid, Guest.State.RUNNING, Map.of()));
        }
        return running;
    }

    /** The CT IDs the kernel runs right now, from /proc/vz/veinfo; empty off an OpenVZ kernel. */
    public Set<String> runningInKernel() throws IOException {
        Path veinfo = root.resolve("proc/vz/veinfo");
        return Files.exists(veinfo) ? VeInfo.runningContainers(KernelFiles.read(veinfo)) : Set.of();
    }

    private String run(List<String> argv) throws IOException {
        ProcessRunner.Result result = processes.run(argv, TOOL_TIMEOUT);
        if (!result.ok()) {
            String why = result.stderr().strip().lines().findFirst().orElse("no message");
            throw new IOException(String.join(" ", argv) + " failed with exit code " + result.exitCode() + ": " + why);
        }
        return result.stdout();
    }

    @Override
    public void close() {
        // Nothing is held open: every listing runs a tool or reads /proc afresh.
    }
}
