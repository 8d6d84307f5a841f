package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.publish.BuildException;
import org.patchvisor.publish.CoverageCheck;
import org.patchvisor.publish.DiffText;
import org.patchvisor.publish.FixBuilder;
import org.patchvisor.publish.FixCheck;
import org.patchvisor.publish.FixComparison;
import org.patchvisor.publish.KernelSourceTree;
import org.patchvisor.publish.LivePatchBuilder;
import org.patchvisor.publish.LivePatchManifest;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.state.StateLockedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor build --kernel RELEASE}: builds a live-patch module, by default from the author's replacement
 * functions and {@code livepatch.json} ({@code --source}), checked against the target kernel's symbol map, or with
 * kpatch-build or the kernel source's own klp-build from the fix itself; optionally publishes it to a feed
 * repository as a signed bundle. With
 * {@code --check-fix} it first compiles the fix's units twice in the kernel's own source and, for the default
 * backend, refuses a live patch that does not replace every function the fix changed.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a live-patch module from replacement functions and a livepatch.json manifest, or "
                + "with kpatch-build or the kernel's own klp-build from an upstream fix.")
public final class BuildCommand implements Callable<Integer> {
    /** Options that only describe what --repo publishes. */
    private static final List<String> PUBLISHING = List.of("--cve", "--effective-version", "--replaces",
            "--cumulative-level", "--expires");
    /** kpatch-build and klp-build compile the whole kernel twice: hours on a small machine. */
    private static final Duration FROM_FIX_TIMEOUT = Duration.ofHours(8);

    @Spec
    CommandSpec spec;

    @ParentCommand
    PatchvisorCli parent;

    @Option(names = "--source", paramLabel = "DIR",
            description = "Directory with the replacement functions (*.c, *.h) and livepatch.json (patchvisor backend).")
    Path source;

    @Option(names = "--kernel", required = true, paramLabel = "RELEASE", description = "Target kernel release.")
    String kernel;

    @Option(names = "--out", paramLabel = "FILE.ko", description = "Where to write the module (default NAME.ko).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Module name (default: \"name\" in the manifest).")
    String name;

    @Option(names = "--symbol-map", paramLabel = "FILE",
            description = "The target kernel's System.map or a copy of its /proc/kallsyms (default /boot/System.map-RELEASE).")
    Path symbolMap;

    @Option(names = "--repo", paramLabel = "DIR", description = "Add the module to this feed repository and sign it.")
    Path repo;

    @Option(names = "--key", paramLabel = "KEYFILE", description = "Signing key for --repo.")
    Path key;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "30d",
            description = "With --repo: how long hosts accept the signed index (default ${DEFAULT-VALUE}).")
    String expires;

    @Mixin
    BundleOptions bundle = new BundleOptions();

    @Mixin
    FixCheckOptions fixCheck = new FixCheckOptions();

    @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "patchvisor",
            converter = BuildBackend.Converter.class, completionCandidates = BuildBackend.Labels.class,
            description = "patchvisor (default: --source's replacement functions, klp tables, kbuild), "
                    + "kpatch-build (where installed: it makes the live patch from --check-fix's fix by building the "
                    + "kernel twice; needs --name and the kernel's vmlinux with debug info) or klp-build (the same "
                    + "with the kernel source's own scripts/livepatch/klp-build, Linux 6.19 and later; needs --name).")
    BuildBackend backend;

    @Option(names = "--vmlinux", paramLabel = "FILE",
            description = "kpatch-build: the kernel's vmlinux with debug info (default "
                    + "/usr/lib/debug/boot/vmlinux-RELEASE, Debian's linux-image-RELEASE-dbg).")
    Path vmlinux;

    @Option(names = "--non-replace", description = "kpatch-build, klp-build: a patch that stacks on the loaded ones "
            + "instead of atomically replacing them.")
    boolean nonReplace;

    @Option(names = "--debug", description = "Show stack traces.")
    boolean debug;

    @Override
    public Integer call() throws IOException {
        Optional<String> usage = usageError();
        if (usage.isPresent()) {
            return fail(ExitCodes.USAGE, usage.get());
        }
        Path root = parent == null ? Path.of("/") : parent.context().root();
        ProcessRunner processes = parent == null ? new SystemProcessRunner(System.getenv("PATH")) : parent.processes();
        try {
            FixCheck check = fixCheck.fix == null ? null : FixCheck.locate(root, kernel, fixCheck.fix,
                    Optional.ofNullable(fixCheck.tarball), Optional.ofNullable(fixCheck.config), fixCheck.cache(root),
                    processes);
            return backend.fromFix() ? buildFromFix(root, check) : buildWithPatchvisor(root, processes, check);
        } catch (BuildException e) {
            return fail(switch (e.reason()) {
                case COMPILE -> ExitCodes.BUILD_FAILED;
                case NOT_COVERED -> ExitCodes.NOT_COVERED;
                case REFUSED -> ExitCodes.BUILD_REFUSED;
            }, e.getMessage());
        } catch (StateLockedException e) {
            return fail(ExitCodes.LOCKED, e.getMessage());
        }
    }

    private Optional<String> usageError() {
        if ((repo == null) != (key == null)) {
            return Optional.of("--repo and --key go together");
        }
        if (repo == null) {
            List<String> stray = PUBLISHING.stream().filter(o -> spec.commandLine().getParseResult()
                    .hasMatchedOption(o)).toList();
            if (!stray.isEmpty()) {
                return Optional.of(String.join(", ", stray) + " describe what --repo publishes; give --repo and --key");
            }
        } else {
            // Everything publishing needs is checked now, not after a build that may take hours.
            try {
                Durations.parse(expires);
                bundle.spec(List.of(), Optional.empty(), List.of());
                SigningKey.read(key);
            } catch (IllegalArgumentException | IOException e) {
                return Optional.of("cannot publish to " + repo + ": " + e.getMessage());
            }
        }
        if (fixCheck.strayWithoutFix()) {
            return Optional.of("--kernel-source, --kernel-config, --source-cache and --unit go with --check-fix");
        }
        if (vmlinux != null && backend != BuildBackend.KPATCH_BUILD) {
            return Optional.of("--vmlinux goes with --backend kpatch-build");
        }
        if (backend.fromFix()) {
            return source != null || fixCheck.fix == null || name == null
                    ? Optional.of("--backend " + backend + " makes the live patch from the fix: give --check-fix "
                    + "FIX.patch and --name NAME, not --source") : Optional.empty();
        }
        if (nonReplace) {
            return Optional.of("--non-replace goes with --backend kpatch-build or klp-build");
        }
        if (source == null || !Files.isDirectory(source)) {
            return Optional.of("--source " + (source == null ? "DIR is required" : source + " is not a directory"));
        }
        return Optional.empty();
    }

    private int buildWithPatchvisor(Path root, ProcessRunner processes, FixCheck check) throws IOException {
        LivePatchBuilder builder = new LivePatchBuilder(root, processes);
        LivePatchManifest manifest = LivePatchManifest.read(source);
        if (check != null) {
            builder.checkSymbols(manifest, kernel, Optional.ofNullable(symbolMap));
            CoverageCheck.Result result = CoverageCheck.check(compare(check).report(), manifest);
            result.warnings().forEach(w -> spec.commandLine().getErr().println("patchvisor build: warning: " + w));
            if (!result.covered()) {
                return fail(ExitCodes.NOT_COVERED, "the live patch does not replace function(s) the fix changed: "
                        + String.join(", ", result.missing()));
            }
            spec.commandLine().getOut().println("check-fix: the live patch replaces every function the fix changed");
        }
        Path target = out != null ? out : Path.of((name != null ? name : manifest.name().orElse("livepatch")) + ".ko");
        LivePatchBuilder.Built built = builder.build(source, kernel, Optional.ofNullable(name), target,
                Optional.ofNullable(symbolMap));
        spec.commandLine().getOut().println("built " + built.module() + " (" + built.name() + ", "
                + built.manifest().replacements().size() + " function(s)" + (built.klpSymbols().isEmpty() ? ""
                : ", unexported symbols resolved by the livepatch core: " + String.join(" ", built.klpSymbols()))
                + ") for " + kernel);
        if (repo != null) {
            publish(built.module(), built.manifest().replacements().stream()
                    .map(r -> r.inVmlinux() ? r.function() : r.object() + ":" + r.function()).toList(),
                    built.manifest().description());
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** kpatch-build or klp-build makes the module from the fix; the comparison names the functions for the index. */
    private int buildFromFix(Path root, FixCheck check) throws IOException {
        FixBuilder builder = backend == BuildBackend.KPATCH_BUILD
                ? check.kpatchBuild(FROM_FIX_TIMEOUT, vmlinux != null ? vmlinux
                        : root.resolve("usr/lib/debug/boot/vmlinux-" + kernel))
                : check.klpBuild(FROM_FIX_TIMEOUT);
        builder.preflight(name);
        List<String> functions;
        Path module;
        // One hold of the tree for both steps: no other check can take it in between.
        try (KernelSourceTree tree = check.openTree(builder.program())) {
            builder.checkTree(tree, check.source());
            functions = List.copyOf(print(check, check.compare(tree, fixCheck.units)).report()
                    .changedFunctionNames());
            module = builder.build(tree, check.fix(), check.source(), name, !nonReplace,
                    out != null ? out : Path.of(name + ".ko"));
        }
        spec.commandLine().getOut().println("built " + module + " (" + name + ", by " + builder.program() + ", "
                + functions.size() + " function(s)) for " + kernel);
        if (repo != null) {
            publish(module, functions, "");
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** Compiles the units the fix touches twice in the kernel's own source and prints the comparison. */
    private FixComparison.Result compare(FixCheck check) throws IOException {
        return print(check, check.compare(fixCheck.units));
    }

    private FixComparison.Result print(FixCheck check, FixComparison.Result compared) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("check-fix: " + check.fix().file().getFileName() + " against Linux " + check.source().version()
                + " (" + kernel + ", " + check.source().compiler() + "), objects in " + compared.objects());
        compared.notes().forEach(n -> stdout.println("check-fix: " + n));
        DiffText.print(compared.report(), stdout);
        compared.warnings().forEach(w -> spec.commandLine().getErr().println("patchvisor build: warning: " + w));
        return compared;
    }

    private void publish(Path module, List<String> functions, String description) throws IOException {
        PublisherRepository repository = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        if (!Files.exists(repo)) {
            repository.init();
        }
        BundleEntry entry = repository.add(module, bundle.spec(List.of(),
                description.isEmpty() ? Optional.empty() : Optional.of(description), functions));
        FeedIndex index = repository.sign(SigningKey.read(key), Durations.parse(expires));
        spec.commandLine().getOut().println("published " + entry.id() + " in " + repo + ": serial " + index.serial()
                + ", " + index.bundles().size() + " bundle(s)");
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("patchvisor build: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }
}
