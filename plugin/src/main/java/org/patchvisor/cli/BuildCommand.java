package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import org.patchvisor.build.BuildException;
import org.patchvisor.build.CoverageCheck;
import org.patchvisor.build.DiffText;
import org.patchvisor.build.FixComparison;
import org.patchvisor.build.FixPatch;
import org.patchvisor.build.KernelSourceTree;
import org.patchvisor.build.LivePatchBuilder;
import org.patchvisor.build.LivePatchManifest;
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.state.StateLockedException;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.repo.BundleSpec;
import org.patchvisor.feed.repo.PublisherRepository;
import org.patchvisor.feed.repo.SigningKey;
import org.patchvisor.spi.SystemProcessRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor build --source DIR --kernel RELEASE}: builds a live-patch module from the author's replacement
 * functions and {@code livepatch.json}, checked against the target kernel's symbol map, and optionally publishes
 * it to a feed repository as a signed bundle. With {@code --check-fix} it first proves, on the kernel's own source,
 * that the live patch replaces every function the upstream fix changed.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a live-patch module from replacement functions and a livepatch.json manifest.")
public final class BuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    PatchvisorCli parent;

    @Option(names = "--source", required = true, paramLabel = "DIR",
            description = "Directory with the replacement functions (*.c, *.h) and livepatch.json.")
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

    @Mixin
    FixCheckOptions fixCheck = new FixCheckOptions();

    @Option(names = "--debug", description = "Show stack traces.")
    boolean debug;

    @Override
    public Integer call() throws IOException {
        if ((repo == null) != (key == null)) {
            return fail(ExitCodes.USAGE, "--repo and --key go together");
        }
        if (!Files.isDirectory(source)) {
            return fail(ExitCodes.USAGE, "--source " + source + " is not a directory");
        }
        Path root = parent == null ? Path.of("/") : parent.context().root();
        ProcessRunner processes = new SystemProcessRunner(System.getenv("PATH"));
        LivePatchBuilder builder = new LivePatchBuilder(root, processes);
        LivePatchBuilder.Built built;
        try {
            if (fixCheck.fix != null && !checkFix(root, builder, processes)) {
                return ExitCodes.NOT_COVERED;
            }
            Path target = out;
            if (target == null) {
                String moduleName = name != null ? name : LivePatchManifest.read(source).name()
                        .orElse("livepatch");
                target = Path.of(moduleName + ".ko");
            }
            built = builder.build(source, kernel, Optional.ofNullable(name), target, Optional.ofNullable(symbolMap));
        } catch (BuildException e) {
            return fail(switch (e.reason()) {
                case COMPILE -> ExitCodes.BUILD_FAILED;
                case NOT_COVERED -> ExitCodes.NOT_COVERED;
                case REFUSED -> ExitCodes.BUILD_REFUSED;
            }, e.getMessage());
        } catch (StateLockedException e) {
            return fail(ExitCodes.LOCKED, e.getMessage());
        }
        spec.commandLine().getOut().println("built " + built.module() + " (" + built.name() + ", "
                + built.manifest().replacements().size() + " function(s)) for " + kernel);
        if (repo != null) {
            publish(built);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /**
     * Compiles the units the fix touches twice in the kernel's own source, prints the comparison, and says whether
     * the live patch replaces every changed function (warnings go to stderr either way).
     */
    private boolean checkFix(Path root, LivePatchBuilder builder, ProcessRunner processes) throws IOException {
        LivePatchManifest manifest = LivePatchManifest.read(source);
        FixPatch fix = FixPatch.read(fixCheck.fix);
        builder.checkSymbols(manifest, kernel, Optional.ofNullable(symbolMap));
        KernelSourceTree.Inputs inputs = KernelSourceTree.locate(root, kernel, Optional.ofNullable(fixCheck.tarball),
                Optional.ofNullable(fixCheck.config), processes);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FixComparison.Result compared = new FixComparison(fixCheck.cacheFor(root, kernel), processes)
                .compare(fix, inputs, fixCheck.units);
        out.println("check-fix: " + fix.file().getFileName() + " against Linux " + inputs.version() + " ("
                + kernel + ", " + inputs.compiler() + "), objects in " + compared.objects());
        DiffText.print(compared.report(), out);
        CoverageCheck.Result result = CoverageCheck.check(compared.report(), manifest);
        compared.warnings().forEach(w -> err.println("patchvisor build: warning: " + w));
        result.warnings().forEach(w -> err.println("patchvisor build: warning: " + w));
        err.flush();
        if (!result.covered()) {
            fail(ExitCodes.NOT_COVERED, "the live patch does not replace function(s) the fix changed: "
                    + String.join(", ", result.missing()));
            return false;
        }
        out.println("check-fix: the live patch replaces every function the fix changed");
        out.flush();
        return true;
    }

    private void publish(LivePatchBuilder.Built built) throws IOException {
        PublisherRepository repository = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC());
        if (!Files.exists(repo)) {
            repository.init();
        }
        List<String> functions = built.manifest().replacements().stream()
                .map(r -> r.inVmlinux() ? r.function() : r.object() + ":" + r.function()).toList();
        String description = built.manifest().description();
        BundleEntry entry = repository.add(built.module(), new BundleSpec(List.of(), List.of(),
                description.isEmpty() ? Optional.empty() : Optional.of(description), Optional.empty(), List.of(),
                1, functions));
        FeedIndex index = repository.sign(SigningKey.read(key), Durations.parse("30d"));
        spec.commandLine().getOut().println("published " + entry.id() + " in " + repo + ": serial " + index.serial()
                + ", " + index.bundles().size() + " bundle(s)");
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("patchvisor build: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }
}
