package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.publish.ModuleInspector;
import org.patchvisor.publish.PublisherRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor repo add DIR MODULE.ko ...}: stores a live-patch module and its manifest; visible after sign. */
@Command(name = "add", mixinStandardHelpOptions = true, description = "Add a live-patch module to the repository.")
public final class RepoAddCommand implements Callable<Integer> {
    private final ModuleInspector inspector;

    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "MODULE.ko")
    Path module;

    @Option(names = "--kernel", paramLabel = "BUILD-ID|RELEASE",
            description = "Target kernel (repeatable); default: the release in the module's vermagic.")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Mixin
    BundleOptions bundleOptions = new BundleOptions();

    @Option(names = "--function", paramLabel = "NAME", description = "Kernel function the patch replaces (repeatable).")
    List<String> functions = new ArrayList<>();

    public RepoAddCommand() {
        this(ModuleFiles::read);
    }

    public RepoAddCommand(ModuleInspector inspector) {
        this.inspector = inspector;
    }

    @Override
    public Integer call() {
        try {
            BundleSpec bundle = bundleOptions.spec(kernels, Optional.ofNullable(description), functions);
            BundleEntry entry = new PublisherRepository(dir, inspector, RepoCommand.context(repo).clock()).add(module, bundle);
            spec.commandLine().getOut().println("added " + entry.id() + " (" + entry.module() + ", level "
                    + entry.cumulativeLevel() + ", sha256 " + entry.sha256() + ") for " + entry.kernels()
                    + "; run 'patchvisor repo sign' to publish");
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor repo add: " + ShortErrorHandler.message(e));
            return ExitCodes.ERROR;
        }
    }
}
