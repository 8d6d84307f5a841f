package org.patchvisor.build;

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
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.state.AtomicFiles;

/**
 * Which objects one directory of a prepared kernel tree builds under the tree's configuration. Kernel Makefiles are
 * full of conditionals ({@code obj-$(CONFIG_X) += x.o}, composite objects, {@code lib-y}), so kbuild itself reads
 * the directory's Makefile with the configuration ({@code scripts/Makefile.build} does, with
 * {@code include/config/auto.conf}) and a one-line target added beside it prints what kbuild computed, composite
 * objects already expanded into their parts. A unit kbuild would not build is no part of the running kernel.
 */
final class KbuildObjects {
    private static final String TARGET = "patchvisor-objects";
    private static final String PRINT = TARGET + ":\n\t@echo $(real-obj-y) $(real-obj-m) $(lib-y)\n";
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final Path tree;
    private final Path printMakefile;
    private final ProcessRunner processes;
    private final KernelSource source;
    private final Map<String, Optional<Set<String>>> asked = new HashMap<>();

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
        if (!asked.containsKey(directory)) {
            asked.put(directory, ask(directory));
        }
        return asked.get(directory);
    }

    /** Whether kbuild builds {@code unit} ({@code fs/proc/fd.c}); empty when its directory could not be read. */
    Optional<Boolean> builds(String unit) throws IOException {
        int slash = unit.lastIndexOf('/');
        String object = unit.substring(0, unit.length() - 2) + ".o";
        return in(slash < 0 ? "." : unit.substring(0, slash)).map(objects -> objects.contains(object));
    }

    private Optional<Set<String>> ask(String directory) throws IOException {
        Path dir = tree.resolve(directory);
        if (!Files.isRegularFile(dir.resolve("Makefile")) && !Files.isRegularFile(dir.resolve("Kbuild"))) {
            return Optional.of(Set.of());
        }
        if (!Files.isRegularFile(printMakefile)) {
            AtomicFiles.write(printMakefile, PRINT.getBytes(StandardCharsets.UTF_8));
        }
        List<String> argv = List.of("make", "-s", "-C", tree.toString(), "-f", "scripts/Makefile.build",
                "-f", printMakefile.toString(), "obj=" + directory, "srctree=.", "objtree=.",
                "CC=" + source.compiler(), "KERNELRELEASE=" + source.release(), TARGET);
        ProcessRunner.Result result = processes.run(argv, TIMEOUT);
        if (!result.ok()) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(result.stdout().strip().split("\\s+"))
                .filter(o -> o.endsWith(".o")).collect(Collectors.toUnmodifiableSet()));
    }
}
