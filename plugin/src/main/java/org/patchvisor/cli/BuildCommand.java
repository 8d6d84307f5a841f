package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.build.BuildException;
import org.patchvisor.build.LivePatchBuilder;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Durations;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.feed.repo.BundleSpec;
import org.patchvisor.feed.repo.PublisherRepository;
import org.patchvisor.feed.repo.SigningKey;
import org.patchvisor.spi.SystemProcessRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor build --source DIR --kernel RELEASE}: builds a live-patch module from the author's replacement
 * functions and {@code livepatch.json}, checked against the target kernel's symbol map, and optionally publishes
 * it to a feed repository as a signed bundle.
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
        LivePatchBuilder builder = new LivePatchBuilder(root, new SystemProcessRunner(System.getenv("PATH")));
        LivePatchBuilder.Built built;
        try {
            Path target = out;
            if (target == null) {
                String moduleName = name != null ? name : org.patchvisor.build.LivePatchManifest.read(source).name()
                        .orElse("livepatch");
                target = Path.of(moduleName + ".ko");
            }
            built = builder.build(source, kernel, Optional.ofNullable(name), target, Optional.ofNullable(symbolMap));
        } catch (BuildException e) {
            return fail(e.reason() == BuildException.Reason.COMPILE ? ExitCodes.BUILD_FAILED : ExitCodes.BUILD_REFUSED,
                    e.getMessage());
        }
        spec.commandLine().getOut().println("built " + built.module() + " (" + built.name() + ", "
                + built.manifest().replacements().size() + " function(s)) for " + kernel);
        if (repo != null) {
            publish(built);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
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
