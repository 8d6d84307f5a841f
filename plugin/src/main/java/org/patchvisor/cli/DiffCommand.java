package org.patchvisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.build.BuildComparison;
import org.patchvisor.build.DiffReport;
import org.patchvisor.build.DiffText;
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
        return ExitCodes.OK;
    }
}
