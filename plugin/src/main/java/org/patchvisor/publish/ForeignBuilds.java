package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.io.ProcessRunner;

/**
 * What every {@link FixBuilder} does around its tool: the tree is marked as handed over while the tool patches and
 * edits it (a tree it does not finish with cleanly is discarded), and the module it makes is refused unless it is
 * a live patch for the target release.
 */
final class ForeignBuilds {

    private ForeignBuilds() {
    }

    /** Refuses a module name {@code program} would not keep as given: {@code name} must match {@code pattern}. */
    static void requireName(String name, Pattern pattern, String program, int most) throws BuildException {
        if (!pattern.matcher(name).matches()) {
            throw new BuildException(BuildException.Reason.REFUSED, "'" + name + "' is not a module name "
                    + program + " keeps (letters, digits, _; at most " + most + ")");
        }
    }

    /**
     * Runs {@code argv} (the tool, working in {@code tree}) bounded by {@code timeout}; a failure becomes a compile
     * error carrying what {@code lastError} picks from the tool's output.
     */
    static void run(KernelSourceTree tree, FixPatch fix, ProcessRunner processes, String program, List<String> argv,
                    Duration timeout, Function<ProcessRunner.Result, String> lastError) throws IOException {
        tree.handOver(fix.file());
        ProcessRunner.Result result = null;
        try {
            result = processes.run(argv, timeout);
        } catch (IOException e) {
            throw new BuildException(BuildException.Reason.COMPILE, program + " did not finish within "
                    + (timeout.toMinutes() % 60 == 0 ? timeout.toHours() + " h" : timeout.toMinutes() + " min")
                    + ", or could not be run: " + e.getMessage());
        } finally {
            tree.handedBack(result != null && result.ok());
        }
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.COMPILE, program + " failed: " + lastError.apply(result));
        }
    }

    /** Checks the module {@code program} made at {@code ko} is a live patch for {@code release}; copies it to out. */
    static Path collect(String program, Path ko, String release, Path out) throws IOException {
        if (!Files.isRegularFile(ko)) {
            throw new BuildException(BuildException.Reason.COMPILE, program + " made no " + ko.getFileName()
                    + " in " + ko.getParent());
        }
        ModuleInfo info;
        try {
            info = ModuleFiles.read(ko);
        } catch (ElfFormatException e) {
            throw new BuildException(BuildException.Reason.REFUSED, program + " made a module that cannot be "
                    + "read: " + e.getMessage());
        }
        if (!info.livepatch() || !info.targetRelease().equals(release)) {
            throw new BuildException(BuildException.Reason.REFUSED, program + " made " + ko + ", which is "
                    + (info.livepatch() ? "built for " + info.targetRelease() : "not a live patch")
                    + ", not a live patch for " + release);
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.copy(ko, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }
}
