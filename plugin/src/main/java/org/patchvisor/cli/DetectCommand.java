package org.patchvisor.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.detect.Detection;
import org.patchvisor.detect.DetectionException;
import org.patchvisor.detect.DetectionReport;
import org.patchvisor.detect.Detector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchvisor detect}: say what this machine is (host, guest, container) and what patchvisor would do here. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect the machine's roles (bare metal, VM guest, KVM host, Xen dom0, OpenVZ node, "
                + "container), live-patch support, and the plan.")
public final class DetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
            description = "Examine the filesystem under DIR instead of / (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--json", description = "Print the detection as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(root)) {
            spec.commandLine().getErr().println("patchvisor detect: --root " + root + " is not a directory");
            spec.commandLine().getErr().flush();
            return ExitCodes.USAGE;
        }
        Detection detection;
        try {
            detection = Detector.forRoot(root).detect();
        } catch (DetectionException e) {
            spec.commandLine().getErr().println("patchvisor detect: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.ERROR;
        }
        if (json) {
            Json.print(spec.commandLine().getOut(), DetectionReport.json(detection));
        } else {
            spec.commandLine().getOut().print(DetectionReport.text(detection));
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
