package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.AtomicFiles;

/**
 * Which objects a prepared kernel tree builds under the tree's configuration. Kernel Makefiles are full of
 * conditionals ({@code obj-$(CONFIG_X) += x.o}, composite objects, {@code lib-y}), so kbuild itself reads a
 * directory's Makefile with the configuration ({@code scripts/Makefile.build} does, with
 * {@code include/config/auto.conf}) and a target added beside it prints what kbuild computed: the objects, composite
 * objects already expanded into their parts, and the subdirectories it descends into. A unit is built only if its
 * own directory lists it and kbuild reaches that directory: {@code mm/kasan/Makefile} lists its objects
 * unconditionally, but {@code mm/} descends into {@code kasan/} only with {@code CONFIG_KASAN}. Top-level
 * directories are decided by the top Makefile and the architecture's: another architecture, {@code tools/},
 * {@code scripts/} and {@code Documentation/} are never part of the running kernel. A unit kbuild would not build is
 * no part of it.
 */
final class KbuildObjects {
    private static final String TARGET = "patchvisor-objects";
    private static final String PRINT = TARGET + ":\n\t@echo $(real-obj-y) $(real-obj-m) $(lib-y)\n"
            + "\t@echo $(subdir-ym)\n";
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    /** Top-level directories of the source that hold no code of the kernel itself. */
    private static final Set<String> NOT_KERNEL = Set.of("tools", "scripts", "Documentation");

    /** What kbuild computed for one directory: the objects it builds, the subdirectories it descends into. */
    private record Listing(Set<String> objects, Set<String> subdirs) {
    }

    private final Path tree;
    private final Path printMakefile;
    private final ProcessRunner processes;
    private final KernelSource source;
    private final Map<String, Optional<Listing>> asked = new HashMap<>();
    private final Map<String, Optional<Boolean>> reached = new HashMap<>();

    /** {@code scratch} is a directory beside the tree for the print target's makefile. */
    KbuildObjects(Path tree, Path scratch, ProcessRunner processes, KernelSource source) {
        this.tree = tree;
        this.printMakefile = scratch.resolve("kbuild-objects.mk");
        this.processes = processes;
        this.source = source;
    }

    /**
     * The objects (paths relative to the tree, {@code fs/proc/fd.o}) that {@code directory} builds: none for a
     * directory without a Makefile, and no answer at all when kbuild failed to read it.
     */
    Optional<Set<String>> in(String directory) throws IOException {
        return listing(directory).map(Listing::objects);
    }

    /**
     * Whether kbuild builds {@code unit} ({@code fs/proc/fd.c}): its directory lists it and is reached. Empty when a
     * Makefile that decides it could not be read.
     */
    Optional<Boolean> builds(String unit) throws IOException {
        if (outsideTheKernel(unit)) {
            return Optional.of(false);
        }
        String directory = directoryOf(unit);
        String object = unit.substring(0, unit.length() - 2) + ".o";
        Optional<Boolean> listed = in(directory).map(objects -> objects.contains(object));
        if (listed.isPresent() && !listed.get()) {
            return listed;
        }
        Optional<Boolean> reachedIt = reached(directory);
        if (reachedIt.isPresent() && !reachedIt.get()) {
            return reachedIt;
        }
        return listed.isPresent() && reachedIt.isPresent() ? Optional.of(true) : Optional.empty();
    }

    /**
     * Whether {@code path} lies where the kernel keeps no code of its own, without asking kbuild: tools, scripts,
     * documentation, another architecture than the one the tree was prepared for.
     */
    boolean outsideTheKernel(String path) throws IOException {
        String[] parts = path.split("/");
        if (parts.length > 1 && NOT_KERNEL.contains(parts[0])) {
            return true;
        }
        if (parts.length > 2 && parts[0].equals("arch")) {
            Optional<String> arch = arch();
            return arch.isPresent() && !parts[1].equals(arch.get());
        }
        return false;
    }

    /** The architecture {@code make prepare} generated headers for: the one the kernel is built for. */
    Optional<String> arch() throws IOException {
        Path archDir = tree.resolve("arch");
        if (!Files.isDirectory(archDir)) {
            return Optional.empty();
        }
        try (Stream<Path> arches = Files.list(archDir)) {
            return arches.filter(a -> Files.isDirectory(a.resolve("include/generated")))
                    .map(a -> a.getFileName().toString()).findFirst();
        }
    }

    /**
     * Whether kbuild descends into {@code directory}: some ancestor's Makefile lists it ({@code obj-y += kasan/},
     * or several levels at once, {@code obj-y += platform/pvh/}) and is reached itself. Top-level directories, and
     * those right below {@code arch/ARCH} (the architecture's Makefile adds {@code lib/}, {@code pci/} and others
     * itself), count as reached.
     */
    private Optional<Boolean> reached(String directory) throws IOException {
        if (!reached.containsKey(directory)) {
            reached.put(directory, decideReached(directory));
        }
        return reached.get(directory);
    }

    private Optional<Boolean> decideReached(String directory) throws IOException {
        List<String> parts = directory.equals(".") ? List.of() : List.of(directory.split("/"));
        boolean inArch = !parts.isEmpty() && parts.get(0).equals("arch");
        if (parts.size() <= (inArch ? 3 : 1)) {
            return Optional.of(true);
        }
        boolean unknown = false;
        for (int depth = parts.size() - 1; depth >= (inArch ? 2 : 1); depth--) {
            String ancestor = String.join("/", parts.subList(0, depth));
            Optional<Listing> listing = listing(ancestor);
            if (listing.isEmpty()) {
                unknown = true;
            } else if (listing.get().subdirs().contains(directory)) {
                Optional<Boolean> up = reached(ancestor);
                if (up.orElse(false)) {
                    return up;
                }
                unknown |= up.isEmpty();
            }
        }
        return unknown ? Optional.empty() : Optional.of(false);
    }

    private Optional<Listing> listing(String directory) throws IOException {
        if (!asked.containsKey(directory)) {
            asked.put(directory, ask(directory));
        }
        return asked.get(directory);
    }

    private Optional<Listing> ask(String directory) throws IOException {
        Path dir = tree.resolve(directory);
        if (!Files.isRegularFile(dir.resolve("Makefile")) && !Files.isRegularFile(dir.resolve("Kbuild"))) {
            return Optional.of(new Listing(Set.of(), Set.of()));
        }
        // Written afresh when it differs: a cache kept from an older patchvisor may hold another print target.
        if (!Files.isRegularFile(printMakefile) || !Files.readString(printMakefile).equals(PRINT)) {
            AtomicFiles.write(printMakefile, PRINT.getBytes(StandardCharsets.UTF_8));
        }
        List<String> argv = List.of("make", "-s", "-C", tree.toString(), "-f", "scripts/Makefile.build",
                "-f", printMakefile.toString(), "obj=" + directory, "srctree=.", "objtree=.",
                "CC=" + source.compiler(), "KERNELRELEASE=" + source.release(), TARGET);
        ProcessRunner.Result result = processes.run(argv, TIMEOUT);
        if (!result.ok()) {
            return Optional.empty();
        }
        String[] lines = result.stdout().split("\n", -1);
        return Optional.of(new Listing(words(lines[0]).filter(o -> o.endsWith(".o"))
                .collect(Collectors.toUnmodifiableSet()),
                lines.length > 1 ? words(lines[1]).map(d -> d.startsWith("./") ? d.substring(2) : d)
                        .collect(Collectors.toUnmodifiableSet()) : Set.of()));
    }

    private static String directoryOf(String unit) {
        int slash = unit.lastIndexOf('/');
        return slash < 0 ? "." : unit.substring(0, slash);
    }

    private static Stream<String> words(String line) {
        return Arrays.stream(line.strip().split("\\s+")).filter(w -> !w.isEmpty());
    }
}
