package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.kernel.KernelSupport;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.kernel.Preflight;
import org.patchvisor.model.KernelId;
import org.patchvisor.time.Ticker;

/**
 * {@code build --fix}: makes the live patch from the upstream fix alone. The fix's units are compiled twice and
 * compared ({@link FixComparison}); the changed and new functions of each unit are extracted into an object of
 * their own ({@link FunctionExtractor}, {@link ExtractedObject}); the live-patch tables are generated for them
 * ({@link KlpSources}) and linked with those objects by kbuild against the target's headers; the kernel symbols
 * the code uses without an export become klp symbols ({@link KlpRelocations}). What a live patch cannot carry is
 * refused, one line per reason, before anything is built.
 */
public final class FixLivePatchBuilder {
    private static final Duration MAKE_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern MODNAME = Pattern.compile("-DKBUILD_MODNAME='\"([A-Za-z0-9_-]+)\"'");
    private static final String TABLES = "pv_klp_tables";

    private final Path root;
    private final ProcessRunner processes;
    private final Ticker ticker;

    public FixLivePatchBuilder(Path root, ProcessRunner processes, Ticker ticker) {
        this.root = root;
        this.processes = processes;
        this.ticker = ticker;
    }

    /** Per unit: what the patch carries from it, and what the author should know about it ({@code warnings}). */
    public record UnitPatch(String unit, String object, List<ReplacedFunction> replaced, List<String> added,
                            Map<String, Integer> entriesKept, List<String> klpSymbols, List<String> klpObjects,
                            List<String> warnings) {
        public UnitPatch {
            klpObjects = List.copyOf(klpObjects);
            replaced = List.copyOf(replaced);
            added = List.copyOf(added);
            entriesKept = Map.copyOf(entriesKept);
            klpSymbols = List.copyOf(klpSymbols);
            warnings = List.copyOf(warnings);
        }
    }

    /** Time spent in each step ({@link FixComparison.Steps} for the first two). */
    public record Timings(Duration compile, Duration compare, Duration extract, Duration link) {
        public Duration total() {
            return compile.plus(compare).plus(extract).plus(link);
        }
    }

    /**
     * The result: module, what it carries (with what the author should know of each unit), the warnings that belong
     * to no unit the patch carries from, the comparison it came from.
     */
    public record Built(Path module, String name, List<UnitPatch> units, List<String> warnings,
                        FixComparison.Result comparison, Timings timings) {
        public Built {
            units = List.copyOf(units);
            warnings = List.copyOf(warnings);
        }

        /** The replaced functions as a feed index lists them ({@code object:function} outside vmlinux). */
        public List<String> functions() {
            List<String> names = new ArrayList<>();
            for (UnitPatch u : units) {
                for (ReplacedFunction r : u.replaced()) {
                    names.add(Replacement.VMLINUX.equals(u.object()) ? r.oldName() : u.object() + ":" + r.oldName());
                }
            }
            return names;
        }
    }

    /**
     * Builds the live patch of {@code check}'s fix; {@code symbolMap} is the target's full {@code /proc/kallsyms}
     * (the positions of its unexported and local symbols).
     */
    public Built build(FixCheck check, List<String> extraUnits, String name, Path symbolMap, Path out)
            throws IOException {
        try {
            LivePatchManifest.requireModuleName(name);
        } catch (IllegalArgumentException e) {
            throw new BuildException(BuildException.Reason.REFUSED, e.getMessage());
        }
        String release = check.source().release();
        Path headers = root.resolve("usr/src/linux-headers-" + release);
        if (!Files.isRegularFile(headers.resolve("Makefile"))) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel headers for " + release + " at "
                    + headers + " (install linux-headers-" + release + ")");
        }
        KernelSymbols kernel = KernelSymbols.read(symbolMap, headers.resolve("Module.symvers"));
        FixComparison.Result compared;
        try (KernelSourceTree tree = check.openTree("build --fix")) {
            compared = check.compare(tree, extraUnits);
        }
        long extracting = ticker.nanoTime();
        DiffReport report = compared.report();
        List<String> refusals = new ArrayList<>();
        for (Uncarriable u : report.uncarriable()) {
            refusals.add(u.file() + " " + u.symbol() + ": " + u.detail());
        }
        if (report.changed().isEmpty() && refusals.isEmpty()) {
            refusals.add(check.fix().file().getFileName() + " changes no function of an existing unit: nothing to "
                    + "replace");
        }
        refuse(refusals);

        Path work = Files.createTempDirectory("patchvisor-fix-build-");
        try {
            List<UnitPatch> units = extract(compared, kernel, name, work, refusals);
            refuse(refusals);
            long extractedAt = ticker.nanoTime();
            Path module = link(name, headers, kernel, units, work, out);
            check(module, release, report, units);
            Set<String> carriedFrom = new TreeSet<>();
            units.forEach(u -> carriedFrom.add(u.unit()));
            List<String> warnings = new ArrayList<>(compared.warnings());
            report.removed().stream().filter(d -> !carriedFrom.contains(d.file()))
                    .forEach(d -> warnings.add(d.file() + ": " + removedWarning(d)));
            return new Built(module, name, units, warnings, compared, new Timings(compared.steps().compile(),
                    compared.steps().compare(), Duration.ofNanos(extractedAt - extracting),
                    Duration.ofNanos(ticker.nanoTime() - extractedAt)));
        } finally {
            ScratchDirs.delete(work);
        }
    }

    /** A function the fix removes from a unit (the report's warnings name the unit). */
    private static String removedWarning(FunctionDelta removed) {
        return removed.function() + ": removed by the fix; the kernel keeps its copy, only callers are replaced";
    }

    /**
     * Extracts each unit's changed and new functions into {@code work} for live patch {@code name}, adding to
     * {@code refusals} what cannot be carried; a malformed object is one such line, naming the file. Each unit's
     * warnings are the functions the fix removes from it and the kernel state its functions use through copies.
     */
    static List<UnitPatch> extract(FixComparison.Result compared, KernelSymbols kernel, String name, Path work,
                                   List<String> refusals) throws IOException {
        Map<String, List<FunctionDelta>> byFile = new LinkedHashMap<>();
        compared.report().changed().forEach(d -> byFile.computeIfAbsent(d.file(), k -> new ArrayList<>()).add(d));
        compared.report().added().forEach(d -> byFile.computeIfAbsent(d.file(), k -> new ArrayList<>()).add(d));
        List<UnitPatch> units = new ArrayList<>();
        int symbols = 0;
        for (Map.Entry<String, List<FunctionDelta>> e : byFile.entrySet()) {
            String file = e.getKey();
            Path prePath = compared.objects().resolve("pre").resolve(file);
            Path postPath = compared.objects().resolve("post").resolve(file);
            if (!Files.isRegularFile(prePath)) {
                refusals.add(file + " is a new compilation unit: nothing in the running kernel to replace");
                continue;
            }
            String linkedTo = linkedInto(postPath);
            try {
                UnitBuilds builds = UnitBuilds.read(prePath, postPath);
                KernelReferences references = new KernelReferences(kernel, linkedTo, UnitSymbols.read(prePath));
                CarriedFunctions carried = CarriedFunctions.of(file, e.getValue(), builds.pre(), builds.post());
                if (!carried.problems().isEmpty()) {
                    refusals.addAll(carried.problems());
                    continue;
                }
                FunctionExtractor extractor = new FunctionExtractor(file, builds, carried.carried(), references);
                extractor.run();
                if (!extractor.problems().isEmpty()) {
                    refusals.addAll(extractor.problems());
                    continue;
                }
                ExtractedObject.Result written = ExtractedObject.write(extractor, carried.replaced(), references,
                        symbols, file);
                refusals.addAll(references.problems().stream().filter(p -> !refusals.contains(p)).toList());
                symbols += written.replaced().size();
                String object = "pv_unit" + units.size() + ".o";
                Files.write(work.resolve(object), written.bytes());
                // modpost reads each object's kbuild command file (for symbol versions); these were not compiled.
                Files.writeString(work.resolve("." + object + ".cmd"), "savedcmd_" + object
                        + " := patchvisor build --fix (extracted from " + file + ")\n");
                List<String> warnings = new ArrayList<>();
                compared.report().removed().stream().filter(d -> d.file().equals(file))
                        .forEach(d -> warnings.add(removedWarning(d)));
                extractor.copies().forEach(c -> warnings.add(c.warning(name)));
                units.add(new UnitPatch(file, linkedTo, written.replaced(), written.added(), written.entriesKept(),
                        List.copyOf(references.klpSymbols().keySet()),
                        List.copyOf(new LinkedHashSet<>(references.klpSymbols().values())), warnings));
            } catch (ElfFormatException ex) {
                // A malformed object (a field past its section, an entry past its table) is refused, not a crash.
                refusals.add(file + ": cannot extract from the object: " + ex.getMessage());
            }
        }
        return units;
    }

    /** vmlinux, or the module kbuild built the unit for (its recorded command has -DMODULE). */
    static String linkedInto(Path object) throws IOException {
        Path command = object.resolveSibling("." + object.getFileName() + ".cmd");
        if (!Files.isRegularFile(command)) {
            return Replacement.VMLINUX;
        }
        String text = Files.readString(command);
        String first = text.lines().findFirst().orElse("");
        Matcher m = MODNAME.matcher(first);
        return first.contains(" -DMODULE ") && m.find() ? m.group(1).replace('-', '_') : Replacement.VMLINUX;
    }

    private Path link(String name, Path headers, KernelSymbols kernel, List<UnitPatch> units, Path work, Path out)
            throws IOException {
        List<Replacement> replacements = new ArrayList<>();
        StringBuilder declarations = new StringBuilder("/* The replaced functions, extracted by patchvisor. */\n");
        for (UnitPatch u : units) {
            for (ReplacedFunction r : u.replaced()) {
                replacements.add(new Replacement(r.oldName(), u.object(), r.newSymbol(), r.sympos()));
                declarations.append("void ").append(r.newSymbol()).append("(void);\n");
            }
        }
        LivePatchManifest manifest = new LivePatchManifest(Optional.of(name), "live patch " + name
                + " made from a fix by patchvisor", false, replacements);
        Files.writeString(work.resolve("pv_extracted.h"), declarations.toString());
        List<String> used = units.stream().flatMap(u -> u.klpObjects().stream())
                .filter(o -> !Replacement.VMLINUX.equals(o)).distinct().toList();
        Files.writeString(work.resolve(TABLES + ".c"), KlpSources.moduleSource(name, manifest,
                List.of("pv_extracted.h"), used));
        StringBuilder objects = new StringBuilder(TABLES + ".o");
        for (int i = 0; i < units.size(); i++) {
            objects.append(" pv_unit").append(i).append(".o");
        }
        Files.writeString(work.resolve("Kbuild"), "# Generated by patchvisor build --fix.\nobj-m := " + name
                + ".o\n" + name + "-y := " + objects + "\n");
        ProcessRunner.Result make = processes.run(List.of("make", "-C", headers.toString(), "M=" + work,
                "KBUILD_MODPOST_WARN=1", "modules"), MAKE_TIMEOUT);
        Path ko = work.resolve(name + ".ko");
        if (!make.ok() || !Files.isRegularFile(ko)) {
            throw new BuildException(BuildException.Reason.COMPILE, "linking " + name + " against " + headers
                    + " failed: " + CompilerMessages.firstErrors(make));
        }
        byte[] module;
        try {
            byte[] linked = Files.readAllBytes(ko);
            List<String> unresolved = unresolved(linked, kernel);
            if (!unresolved.isEmpty()) {
                throw new BuildException(BuildException.Reason.COMPILE, "linking " + name + ": modpost leaves "
                        + String.join(", ", unresolved) + " undefined, neither exported by vmlinux nor resolved "
                        + "by the livepatch core");
            }
            module = KlpRelocations.convertNamed(linked);
        } catch (ElfFormatException e) {
            throw new BuildException(BuildException.Reason.REFUSED, "cannot hand the kernel's symbols of " + name
                    + " to the livepatch core: " + e.getMessage());
        }
        Path target = out.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Files.write(target, module);
        return target;
    }

    /**
     * The symbols {@code module} leaves undefined that vmlinux does not export and that are not klp symbols.
     * modpost runs with {@code KBUILD_MODPOST_WARN=1}, which lets the klp symbols (resolved later by the livepatch
     * core) through as warnings, but with them any other symbol it cannot resolve: those are looked for here.
     */
    static List<String> unresolved(byte[] module, KernelSymbols kernel) throws ElfFormatException {
        Set<String> names = new TreeSet<>();
        for (ElfSymbol s : ElfFile.parse(module).symbols()) {
            if (s.isUndefined() && !s.name().isEmpty() && !s.name().startsWith(KlpSymbolName.PREFIX)
                    && !kernel.exported(s.name())) {
                names.add(s.name());
            }
        }
        return List.copyOf(names);
    }

    /**
     * The module must pass what {@code apply} checks of a module file, and replace every function the comparison
     * found changed (true by construction: a failure here is a bug, and nothing is published).
     */
    private static void check(Path module, String release, DiffReport report, List<UnitPatch> units)
            throws IOException {
        try {
            Preflight.checkModule(module.toString(), ModuleFiles.read(module), new KernelId(release, "", "",
                    Optional.empty()), new KernelSupport(true, false, Optional.empty(), 0));
        } catch (PatchException e) {
            Files.deleteIfExists(module);
            throw new BuildException(BuildException.Reason.REFUSED, e.getMessage());
        }
        Set<String> replaced = new TreeSet<>();
        units.forEach(u -> u.replaced().forEach(r -> replaced.add(SymbolNames.normalise(r.oldName()))));
        Set<String> missing = new TreeSet<>(report.changedFunctionNames());
        missing.removeAll(replaced);
        if (!missing.isEmpty()) {
            Files.deleteIfExists(module);
            throw new BuildException(BuildException.Reason.NOT_COVERED, "the generated live patch does not replace "
                    + String.join(", ", missing) + ", which the fix changed (a bug in patchvisor: please report it)");
        }
    }

    private static void refuse(List<String> refusals) throws BuildException {
        if (!refusals.isEmpty()) {
            // one line, as every failure is printed
            throw new BuildException(BuildException.Reason.REFUSED, "the fix cannot be carried by a live patch: "
                    + String.join("; ", new LinkedHashSet<>(refusals)));
        }
    }
}
