package org.patchvisor.adapter.lxc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.kernel.KernelFiles;

/**
 * Finds running containers by what every container is to the kernel: a PID namespace. A process is a
 * container's init when the {@code NSpid} line of its /proc status (proc(5), Linux 4.1+) lists more than one
 * PID and the innermost is 1. This sees LXC, libvirt-lxc and plain {@code unshare --pid} containers alike,
 * with no daemon to ask. Processes that exit during the scan are skipped.
 */
final class ProcScanner {
    private final Path proc;

    ProcScanner(Path root) {
        this.proc = root.resolve("proc");
    }

    List<ContainerInit> containers() throws IOException {
        List<ContainerInit> found = new ArrayList<>();
        if (!Files.isDirectory(proc)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : entries) {
                inspect(dir).ifPresent(found::add);
            }
        }
        found.sort(Comparator.comparingInt(ContainerInit::hostPid));
        return found;
    }

    private Optional<ContainerInit> inspect(Path dir) throws IOException {
        try {
            String[] nspid = nspid(KernelFiles.read(dir.resolve("status")));
            if (nspid.length < 2 || !nspid[nspid.length - 1].equals("1")) {
                return Optional.empty();
            }
            int pid = Integer.parseInt(dir.getFileName().toString());
            return Optional.of(new ContainerInit(pid, pidNamespace(dir.resolve("ns/pid")),
                    KernelFiles.read(dir.resolve("comm")), environment(dir.resolve("environ")),
                    cgroup(dir.resolve("cgroup"))));
        } catch (NoSuchFileException | AccessDeniedException gone) {
            return Optional.empty();
        } catch (IOException e) {
            // A process that exits while it is read answers ESRCH ("No such process") before its directory goes.
            if (exited(dir)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether the process behind {@code dir} is gone: its status can no longer be read. */
    private static boolean exited(Path dir) {
        try {
            KernelFiles.read(dir.resolve("status"));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The NSpid field: PIDs from the reader's namespace inward. */
    static String[] nspid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("NSpid:")) {
                return line.substring("NSpid:".length()).strip().split("\\s+");
            }
        }
        return new String[0];
    }

    /** The namespace link's target; a fixture tree holds it as a one-line file. */
    private static String pidNamespace(Path link) throws IOException {
        if (Files.isSymbolicLink(link)) {
            return Files.readSymbolicLink(link).toString();
        }
        return KernelFiles.read(link);
    }

    /** NUL-separated KEY=value pairs (proc(5)); unreadable environments are empty, not fatal. */
    static Map<String, String> environment(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        byte[] bytes;
        try {
            bytes = KernelFiles.readBytes(file);
        } catch (AccessDeniedException denied) {
            return env;
        }
        for (String pair : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return env;
    }

    /** The unified (cgroup v2, "0::PATH") path, else the first v1 hierarchy's path. */
    static String cgroup(Path file) throws IOException {
        String text = KernelFiles.read(file);
        String first = "";
        for (String line : text.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                if (parts[0].equals("0") && parts[1].isEmpty()) {
                    return parts[2];
                }
                if (first.isEmpty()) {
                    first = parts[2];
                }
            }
        }
        return first;
    }
}
