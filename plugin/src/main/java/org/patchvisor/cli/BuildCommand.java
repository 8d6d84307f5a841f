package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.feed.Durations;
import org.patchvisor.guest.GuestText;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.publish.BuildPipeline;
import org.patchvisor.publish.DiffText;
import org.patchvisor.publish.FixBuilder;
import org.patchvisor.publish.FixCheck;
import org.patchvisor.publish.FixComparison;
import org.patchvisor.publish.FixLivePatchBuilder;
import org.patchvisor.publish.LivePatchBuilder;
import org.patchvisor.publish.Publication;
import org.patchvisor.publish.SigningKey;
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
 * backend, refuses a live patch that does not replace every function the fix changed. The sequence is the
 * publisher's {@link BuildPipeline}; this command checks the options, picks the backend and prints.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a live-patch module from replacement functions and a livepatch.json manifest, or "
                + "with kpatch-build or the kernel's own klp-build from an upstream fix.")
public final class BuildCommand implements Callable<Integer> {
    /** Options that only describe what --repo publishes. */
    private static final List<String> PUBLISHING = List.of("--cve", "--effective-version", "--replaces",
            "--cumulative-level", "--expires");

    @Spec
    CommandSpec spec;

    @ParentCommand
    PatchvisorCli parent;

    @Option(names = "--source", paramLabel = "DIR",
            description = "Directory with the replacement functions (*.c, *.h) and livepatch.json (patchvisor backend).")
    Path source;

    @Option(names = "--fix", paramLabel = "FIX.patch",
            description = "Make the live patch from this upstream fix alone: compile the units it touches twice in the "
                    + "kernel's own source, extract the changed and new functions, generate the live-patch tables and "
                    + "link them against the kernel's headers. No --source.")
    Path fixAlone;

    @Option(names = "--json", description = "With --fix: print one JSON object describing the live patch.")
    boolean json;

    @Option(names = "--kernel", required = true, paramLabel = "RELEASE", description = "Target kernel release.")
    String kernel;

    @Option(names = "--out", paramLabel = "FILE.ko", description = "Where to write the module (default NAME.ko).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Module name (default: \"name\" in the manifest).")
    String name;

    @Option(names = "--symbol-map", paramLabel = "FILE",
            description = "The target kernel's System.map or a copy of its /proc/kallsyms (default "
                    + "/boot/System.map-RELEASE; with --fix required: the full /proc/kallsyms).")
    Path symbolMap;

    @Option(names = "--repo", paramLabel = "DIR", description = "Add the module to this feed repository and sign it.")
    Path repo;

    @Option(names = "--key", paramLabel = "KEYFILE", description = "Signing key for --repo.")
    Path key;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "7d",
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
        Optional<String> misuse = usageError();
        if (misuse.isPresent()) {
            return usage(misuse.get());
        }
        Path root = context().root();
        ProcessRunner processes = context().processes();
        // A refused or failed build throws: ShortErrorHandler prints it like any failure, escaped, with the stack
        // trace under --debug, and ExitPolicy gives its code (17, 18 or 19).
        Path fix = fixAlone != null ? fixAlone : fixCheck.fix;
        FixCheck check = fix == null ? null : FixCheck.locate(root, kernel, fix,
                Optional.ofNullable(fixCheck.tarball), Optional.ofNullable(fixCheck.config), fixCheck.cache(root),
                processes, context().ticker());
        Printed printed = new Printed();
        BuildPipeline pipeline = new BuildPipeline(kernel, fixCheck.units, publication(), printed);
        if (fixAlone != null) {
            pipeline.fromFixAlone(check, new FixLivePatchBuilder(root, processes, context().ticker()),
                    name != null ? name : FixPatchText.defaultName(fixAlone), symbolMap, Optional.ofNullable(out));
        } else if (backend.fromFix()) {
            FixBuilder builder = backend == BuildBackend.KPATCH_BUILD
                    ? check.kpatchBuild(BuildPipeline.FROM_FIX_TIMEOUT, vmlinux != null ? vmlinux
                            : root.resolve("usr/lib/debug/boot/vmlinux-" + kernel))
                    : check.klpBuild(BuildPipeline.FROM_FIX_TIMEOUT);
            pipeline.fromFix(check, builder, name, !nonReplace, Optional.ofNullable(out));
        } else {
            pipeline.withPatchvisor(new LivePatchBuilder(root, processes), source, Optional.ofNullable(check),
                    Optional.ofNullable(name), Optional.ofNullable(out), Optional.ofNullable(symbolMap));
        }
        if (json && printed.fromFix != null) {
            Json.print(spec.commandLine().getOut(), FixPatchText.json(printed.fromFix, kernel,
                    Optional.ofNullable(printed.publishedTo)));
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private Optional<Publication> publication() {
        return repo == null ? Optional.empty() : Optional.of(new Publication(repo, key, expires,
                (description, functions) -> bundle.spec(List.of(), description, functions), context().clock()));
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
        if (fixAlone != null) {
            if (source != null || fixCheck.fix != null || backend != BuildBackend.PATCHVISOR || nonReplace) {
                return Optional.of("--fix makes the live patch from the fix alone: no --source, --check-fix, "
                        + "--backend or --non-replace");
            }
            if (symbolMap == null) {
                return Optional.of("--fix needs --symbol-map FILE: the target's full /proc/kallsyms, read as root "
                        + "(a distribution's System.map may be a stub)");
            }
            return Optional.empty();
        }
        if (json) {
            return Optional.of("--json goes with --fix");
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

    /** What the pipeline reports, printed: results on stdout, warnings on stderr. */
    private final class Printed implements BuildPipeline.Listener {
        private FixLivePatchBuilder.Built fromFix;
        private Publication.Published publishedTo;

        @Override
        public void compared(FixCheck check, FixComparison.Result compared) {
            if (json) {
                return;
            }
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println("check-fix: " + check.fix().file().getFileName() + " against Linux "
                    + check.source().version() + " (" + kernel + ", " + check.source().compiler() + "), objects in "
                    + compared.objects());
            compared.notes().forEach(n -> stdout.println("check-fix: " + n));
            DiffText.print(compared.report(), stdout);
        }

        @Override
        public void warning(String warning) {
            spec.commandLine().getErr().println("patchvisor build: warning: " + warning);
        }

        @Override
        public void covered() {
            spec.commandLine().getOut().println("check-fix: the live patch replaces every function the fix changed");
        }

        @Override
        public void built(LivePatchBuilder.Built built) {
            spec.commandLine().getOut().println("built " + built.module() + " (" + built.name() + ", "
                    + built.manifest().replacements().size() + " function(s)" + (built.klpSymbols().isEmpty() ? ""
                    : ", unexported symbols resolved by the livepatch core: " + String.join(" ", built.klpSymbols()))
                    + ") for " + kernel);
        }

        @Override
        public void builtFromFixAlone(FixLivePatchBuilder.Built built) {
            fromFix = built;
            if (!json) {
                FixPatchText.print(built, kernel, spec.commandLine().getOut());
            }
        }

        @Override
        public void builtFromFix(Path module, String patch, String program, int functions) {
            spec.commandLine().getOut().println("built " + module + " (" + patch + ", by " + program + ", "
                    + functions + " function(s)) for " + kernel);
        }

        @Override
        public void published(Publication.Published published) {
            publishedTo = published;
            if (json) {
                return;
            }
            spec.commandLine().getOut().println("published " + published.entry().id() + " in " + published.repo()
                    + ": serial " + published.index().serial() + ", " + published.index().bundles().size()
                    + " bundle(s)");
        }
    }

    /** The parent's seams; the real host when the command runs on its own (tests). */
    private HostContext context() {
        return parent == null ? HostContext.system() : parent.context();
    }

    /** Options that do not go together: one line and the usage code, before anything is built. */
    private int usage(String message) {
        spec.commandLine().getErr().println("patchvisor build: " + GuestText.oneLine(message));
        spec.commandLine().getErr().flush();
        return ExitCodes.USAGE;
    }
}
