package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.publish.BuildComparison;
import org.patchvisor.publish.BuildException;
import org.patchvisor.publish.CoverageCheck;
import org.patchvisor.publish.LivePatchManifest;
import org.patchvisor.publish.DiffReport;
import org.patchvisor.publish.DiffText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchvisor diff PRE POST}: which functions two builds of the same kernel code differ in. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare two builds (object files, or directories of .o matched by relative path) compiled "
                + "with -ffunction-sections -fdata-sections: changed, added and removed functions, and changes "
                + "a live patch cannot carry.")
public final class DiffCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PRE", description = "Build without the fix.")
    Path pre;

    @Parameters(index = "1", paramLabel = "POST", description = "Build with the fix.")
    Path post;

    @Option(names = "--json", description = "Print the comparison as JSON.")
    boolean json;

    @Option(names = "--coverage", paramLabel = "SOURCE-DIR",
            description = "Check that the live patch in SOURCE-DIR (its livepatch.json) replaces every function that "
                    + "changed; exit " + ExitCodes.NOT_COVERED + " when it does not, warn about what it cannot carry.")
    Path coverage;

    @Override
    public Integer call() throws IOException {
        DiffReport report;
        try {
            report = BuildComparison.compare(pre, post);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("patchvisor diff: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.USAGE;
        }
        if (json) {
            Json.print(spec.commandLine().getOut(), report);
        } else {
            DiffText.print(report, spec.commandLine().getOut());
        }
        if (coverage == null) {
            return ExitCodes.OK;
        }
        LivePatchManifest manifest;
        try {
            manifest = LivePatchManifest.read(coverage);
        } catch (BuildException e) {
            spec.commandLine().getErr().println("patchvisor diff: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitPolicy.code(e);
        }
        CoverageCheck.Result result = CoverageCheck.check(report, manifest);
        result.warnings().forEach(w -> spec.commandLine().getErr().println("patchvisor diff: warning: " + w));
        if (!result.covered()) {
            spec.commandLine().getErr().println("patchvisor diff: the live patch does not replace changed function(s) "
                    + String.join(", ", result.missing()));
        }
        spec.commandLine().getErr().flush();
        return result.covered() ? ExitCodes.OK : ExitCodes.NOT_COVERED;
    }
}
