package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.patchvisor.io.ProcessRunner;

/**
 * The kernel's own live-patch builder: from Linux 6.19 the source carries {@code scripts/livepatch/klp-build}, which
 * builds the kernel twice with function sections, compares the objects with {@code objtool klp diff} and links the
 * changed functions into a module. {@code build --backend klp-build} runs it from the root of the prepared tree, as
 * it requires ({@code klp-build --output OUT.ko [--no-replace] FIX}), with the kernel's {@code KERNELRELEASE} passed to
 * its make runs through {@code MAKEFLAGS}. The source of an older kernel (Debian 12's is 6.1) has no klp-build:
 * that is refused as soon as the tree is held, before anything is compared or built.
 */
public final class KlpBuild implements FixBuilder {
    public static final String PROGRAM = "klp-build";
    static final String SCRIPT = "scripts/livepatch/klp-build";
    /** The kernel keeps 55 characters of a module name; klp-build would turn anything but [A-Za-z0-9_-] into '-'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,54}");
    /** What klp-build's own die/warn print. */
    private static final Pattern ERROR = Pattern.compile("^error: klp-build: (.*)$", Pattern.MULTILINE);
    /** What its ERR trap prints through warn after a command failed: the command, not the reason. */
    private static final Pattern TRAP = Pattern.compile("line \\d+: '.*'");
    /** Programs klp-build runs besides the kernel's make (it applies the fix with git apply, reads it with gawk). */
    private static final List<String> NEEDS = List.of("bash", "git", "gawk", "make");

    private final ProcessRunner processes;
    private final Duration timeout;

    public KlpBuild(ProcessRunner processes, Duration timeout) {
        this.processes = processes;
        this.timeout = timeout;
    }

    @Override
    public String program() {
        return PROGRAM;
    }

    @Override
    public void preflight(String name) throws BuildException {
        ForeignBuilds.requireName(name, NAME, PROGRAM, 55);
        List<String> missing = NEEDS.stream().filter(p -> !processes.available(p)).toList();
        if (!missing.isEmpty()) {
            throw new BuildException(BuildException.Reason.REFUSED, PROGRAM + " needs " + String.join(", ", missing)
                    + ", not installed here (apt-get install " + String.join(" ", missing) + ")");
        }
    }

    /** Prepares the tree and refuses a kernel source that carries no klp-build. */
    @Override
    public void checkTree(KernelSourceTree tree, KernelSource source) throws IOException {
        tree.prepare(source);
        if (!Files.isRegularFile(tree.path().resolve(SCRIPT))) {
            throw new BuildException(BuildException.Reason.REFUSED, "the source of Linux " + source.version()
                    + " has no " + SCRIPT + " (the kernel's own live-patch builder arrived in Linux 6.19); use "
                    + "--backend patchvisor, or kpatch-build");
        }
    }

    @Override
    public Path build(KernelSourceTree tree, FixPatch fix, KernelSource source, String name, boolean replace,
                      Path out) throws IOException {
        preflight(name);
        checkTree(tree, source);
        Path ko = ScratchDirs.reset(tree.dir().resolve("klp-output")).resolve(name + ".ko").toAbsolutePath();
        Path root = tree.path().toAbsolutePath();
        // klp-build insists on running from the kernel's root directory; every path it is given is absolute.
        List<String> argv = new ArrayList<>(List.of("env", "-C", root.toString(),
                "MAKEFLAGS= -- KERNELRELEASE=" + source.release(), "bash", root.resolve(SCRIPT).toString(),
                "--output", ko.toString()));
        if (!replace) {
            argv.add("--no-replace");
        }
        argv.add(fix.file().toAbsolutePath().toString());
        ForeignBuilds.run(tree, fix, processes, PROGRAM, argv, timeout, KlpBuild::firstError);
        return ForeignBuilds.collect(PROGRAM, ko, source.release(), out);
    }

    /**
     * klp-build's own message (die) says why; its ERR trap's "line N: 'command'" comes after that, or alone when a
     * command failed, and then names the command.
     */
    private static String firstError(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        List<String> errors = new ArrayList<>();
        Matcher m = ERROR.matcher(output);
        while (m.find()) {
            errors.add(m.group(1).strip());
        }
        return errors.stream().filter(e -> !TRAP.matcher(e).matches()).findFirst()
                .or(() -> errors.stream().findFirst())
                .orElseGet(() -> output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode()));
    }
}
