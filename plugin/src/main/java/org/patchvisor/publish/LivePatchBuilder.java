package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.io.ProcessRunner;

/**
 * Turns a live-patch source directory into a module for one kernel: checks every replaced function against the
 * kernel's symbol map, generates the klp tables and the Kbuild file in a scratch directory, and runs kbuild
 * against {@code /usr/src/linux-headers-RELEASE}; symbols the replacements use that the kernel does not export are
 * handed to the livepatch core ({@link KlpRelocations}). The root is a seam so tests can point it at fixtures.
 */
public final class LivePatchBuilder {
    private static final Duration MAKE_TIMEOUT = Duration.ofMinutes(10);
    private final Path root;
    private final ProcessRunner processes;

    public LivePatchBuilder(Path root, ProcessRunner processes) {
        this.root = root;
        this.processes = processes;
    }

    /** The result: the module file, the manifest it was built from, the unexported symbols it resolves. */
    public record Built(Path module, String name, LivePatchManifest manifest, Set<String> klpSymbols) {
        public Built {
            klpSymbols = Collections.unmodifiableSet(new LinkedHashSet<>(klpSymbols));
        }
    }

    public Built build(Path sourceDir, String release, Optional<String> nameOverride, Path out) throws IOException {
        return build(sourceDir, release, nameOverride, out, Optional.empty());
    }

    /** As above; {@code symbolMap} replaces /boot/System.map-RELEASE (a System.map or a copy of /proc/kallsyms). */
    public Built build(Path sourceDir, String release, Optional<String> nameOverride, Path out,
                       Optional<Path> symbolMap) throws IOException {
        LivePatchManifest manifest = LivePatchManifest.read(sourceDir);
        String name = nameOverride.or(manifest::name).orElseThrow(() -> new BuildException(
                BuildException.Reason.REFUSED, "no module name: give --name or \"name\" in " + LivePatchManifest.FILE));
        try {
            LivePatchManifest.requireModuleName(name);
        } catch (IllegalArgumentException e) {
            throw new BuildException(BuildException.Reason.REFUSED, e.getMessage());
        }
        checkSymbols(manifest, release, symbolMap);
        Path headers = root.resolve("usr/src/linux-headers-" + release);
        if (!Files.isRegularFile(headers.resolve("Makefile"))) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel headers for " + release + " at "
                    + headers + " (install linux-headers-" + release + ")");
        }
        List<String> authorFiles = authorSources(sourceDir, name);
        Path work = Files.createTempDirectory("patchvisor-build-");
        try {
            for (String file : authorFiles) {
                Files.copy(sourceDir.resolve(file), work.resolve(file));
            }
            try (Stream<Path> headersOfAuthor = Files.list(sourceDir)) {
                for (Path h : headersOfAuthor.filter(p -> p.getFileName().toString().endsWith(".h")).toList()) {
                    Files.copy(h, work.resolve(h.getFileName()));
                }
            }
            Files.writeString(work.resolve(name + ".c"), KlpSources.moduleSource(name, manifest, authorFiles));
            Files.writeString(work.resolve("Kbuild"), KlpSources.kbuild(name));
            // Unexported kernel symbols are undefined for modpost; they become klp symbols below, so warn only.
            ProcessRunner.Result make = processes.run(List.of("make", "-C", headers.toString(),
                    "M=" + work, "KBUILD_MODPOST_WARN=1", "modules"), MAKE_TIMEOUT);
            Path ko = work.resolve(name + ".ko");
            if (!make.ok() || !Files.isRegularFile(ko)) {
                throw new BuildException(BuildException.Reason.COMPILE, "compiling " + name + " against " + headers
                        + " failed: " + CompilerMessages.firstErrors(make));
            }
            Path mapFile = symbolMap.orElse(root.resolve("boot/System.map-" + release));
            Map<String, Integer> unexported = UnexportedSymbols.of(ko, headers.resolve("Module.symvers"),
                    () -> SymbolMap.readText(mapFile), manifest.symbols());
            byte[] module;
            try {
                module = KlpRelocations.convert(Files.readAllBytes(ko), unexported);
            } catch (ElfFormatException e) {
                throw new BuildException(BuildException.Reason.REFUSED, "cannot hand unexported symbols of " + name
                        + " to the livepatch core: " + e.getMessage());
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.write(out, module);
            return new Built(out, name, manifest, unexported.keySet());
        } finally {
            ScratchDirs.delete(work);
        }
    }

    /** Checks each replacement against vmlinux's System.map or the module file it names. */
    public void checkSymbols(LivePatchManifest manifest, String release, Optional<Path> symbolMap)
            throws IOException {
        Path mapFile = symbolMap.orElse(root.resolve("boot/System.map-" + release));
        for (Replacement r : manifest.replacements()) {
            SymbolMap map;
            if (r.inVmlinux()) {
                map = SymbolMap.read(mapFile);
            } else {
                map = symbolMap.isPresent()
                        ? SymbolMap.parse(Files.readString(mapFile), r.object()) : SymbolMap.empty();
                if (map.isEmpty()) {
                    map = SymbolMap.ofModule(moduleFile(r.object(), release));
                }
            }
            map.check(r);
        }
    }

    private Path moduleFile(String module, String release) throws IOException {
        Path dir = root.resolve("lib/modules/" + release + "/kernel");
        String wanted = module.replace('-', '_');
        if (Files.isDirectory(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                Optional<Path> found = walk.filter(p -> p.getFileName().toString().replace('-', '_')
                        .equals(wanted + ".ko")).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new BuildException(BuildException.Reason.REFUSED, "module " + module + " not found under " + dir
                + " (uncompressed .ko expected)");
    }

    private static List<String> authorSources(Path sourceDir, String name) throws IOException {
        try (Stream<Path> files = Files.list(sourceDir)) {
            List<String> sources = new ArrayList<>(files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".c")).sorted().toList());
            if (sources.isEmpty()) {
                throw new BuildException(BuildException.Reason.REFUSED, "no .c files in " + sourceDir);
            }
            if (sources.contains(name + ".c")) {
                throw new BuildException(BuildException.Reason.REFUSED, sourceDir + "/" + name
                        + ".c clashes with the generated module source; rename it");
            }
            return sources;
        }
    }
}
