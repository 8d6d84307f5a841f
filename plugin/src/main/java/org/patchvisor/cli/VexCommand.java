package org.patchvisor.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.cve.VexDocument;
import org.patchvisor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor vex [--guests] [--out FILE]}: a CycloneDX VEX document saying which CVEs the live patches in
 * force fix in this host's kernel (and, with {@code --guests}, in each guest's that answers now), for vulnerability
 * scanners that would otherwise report them open because the kernel package did not change ({@link VexDocument}).
 */
@Command(name = "vex", mixinStandardHelpOptions = true,
        description = "Write a CycloneDX VEX document of the CVEs the live patches in force fix, for scanners.")
final class VexCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--guests", description = "Also state what each guest with its own kernel has fixed.")
    boolean guests;

    @Mixin
    GuestOptions guestOptions;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the document here (atomically) instead of "
            + "standard output.")
    Path out;

    @Mixin
    FeedFileOptions files = new FeedFileOptions();

    @Override
    public Integer call() {
        try {
            CveSources.Read read = CveSources.read(parent, files.config(), files.stateDirOption(), true,
                    guests ? Optional.of(guestOptions.uris()) : Optional.empty(), spec.commandLine().getErr());
            String document = VexDocument.json(read.targets(), new VersionProvider().getVersion()[0]);
            if (out == null) {
                spec.commandLine().getOut().println(document);
                spec.commandLine().getOut().flush();
            } else {
                AtomicFiles.write(out, (document + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return ExitCodes.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor vex: " + ShortErrorHandler.message(e));
            return ExitCodes.ERROR;
        }
    }
}
