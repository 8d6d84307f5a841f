package org.patchvisor.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.patchvisor.spi.ProcessRunner;
import org.patchvisor.state.AtomicFiles;
import org.patchvisor.state.Sha256;

/**
 * The target kernel's own source, unpacked from Debian's {@code linux-source-X.Y} tarball into a cache directory
 * and prepared with the kernel's configuration ({@code make olddefconfig prepare}), so single compilation units
 * can be built exactly as the kernel build would. Preparing takes a while, so a stamp records what the tree was
 * made from and a later check reuses it; a tree whose stamp does not match is discarded and made again.
 * The caller holds the directory's lock.
 */
public final class KernelSourceTree {
    static final String STAMP = "prepared";
    private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration MAKE_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern MAKE_VAR = Pattern.compile("^(VERSION|PATCHLEVEL|SUBLEVEL)\\s*=\\s*(\\d+)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern CC_TEXT = Pattern.compile("^CONFIG_CC_VERSION_TEXT=\"([^\"]*)\"", Pattern.MULTILINE);

    /** What a tree is made from: the tarball, the kernel configuration and the compiler that config names. */
    public record Inputs(String release, String version, Path tarball, Path config, String compiler) {
    }

    private final Path dir;
    private final ProcessRunner processes;

    /** {@code dir} is this release's cache directory ({@code <cache>/<release>}); the tree lives in {@code tree}. */
    public KernelSourceTree(Path dir, ProcessRunner processes) {
        this.dir = dir;
        this.processes = processes;
    }

    public Path path() {
        return dir.resolve("tree");
    }

    /**
     * Works out the inputs for {@code release} on the machine under {@code root}: the upstream version from the
     * kernel's headers, Debian's {@code /usr/src/linux-source-X.Y.tar.xz} unless {@code tarball} is given, the
     * headers' {@code .config} (else {@code /boot/config-RELEASE}) unless {@code config} is given, and the compiler
     * the config was made with when it is installed.
     */
    public static Inputs locate(Path root, String release, Optional<Path> tarball, Optional<Path> config,
                                ProcessRunner processes) throws IOException {
        Path headers = root.resolve("usr/src/linux-headers-" + release);
        String version = version(headers.resolve("Makefile")).orElseThrow(() -> new BuildException(
                BuildException.Reason.REFUSED, "cannot tell the source version of " + release + " from " + headers
                + "/Makefile (install linux-headers-" + release + ")"));
        String series = version.substring(0, version.lastIndexOf('.'));
        Path source = tarball.orElse(root.resolve("usr/src/linux-source-" + series + ".tar.xz"));
        if (!Files.isRegularFile(source)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel source at " + source
                    + (tarball.isPresent() ? "" : " (install linux-source-" + series + ")"));
        }
        Path configFile = config.orElseGet(() -> Files.isRegularFile(headers.resolve(".config"))
                ? headers.resolve(".config") : root.resolve("boot/config-" + release));
        if (!Files.isRegularFile(configFile)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel configuration for " + release + " at "
                    + configFile + " (give --kernel-config)");
        }
        String compiler = compilerOf(Files.readString(configFile, StandardCharsets.ISO_8859_1))
                .map(KernelSourceTree::programOf).filter(processes::available).orElse("gcc");
        return new Inputs(release, version, source, configFile, compiler);
    }

    /**
     * Makes sure the tree is unpacked from {@code inputs} and prepared; returns warnings for the author (a compiler
     * other than the kernel's). Refuses a tarball whose version is not the kernel's.
     */
    public List<String> prepare(Inputs inputs) throws IOException {
        String stamp = stampOf(inputs);
        Path stampFile = dir.resolve(STAMP);
        boolean ready = Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)
                && Files.isRegularFile(path().resolve("Makefile"));
        if (!ready) {
            discard();
            unpack(inputs.tarball());
        }
        String treeVersion = version(path().resolve("Makefile")).orElse("unknown");
        if (!treeVersion.equals(inputs.version())) {
            throw new BuildException(BuildException.Reason.REFUSED, inputs.tarball() + " holds Linux " + treeVersion
                    + ", but " + inputs.release() + " was built from " + inputs.version());
        }
        if (!ready) {
            Files.copy(inputs.config(), path().resolve(".config"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            make(inputs.compiler(), List.of("olddefconfig"), "configuring");
            make(inputs.compiler(), List.of("-j" + Runtime.getRuntime().availableProcessors(), "prepare"),
                    "preparing");
            AtomicFiles.write(stampFile, stamp.getBytes(StandardCharsets.UTF_8));
        }
        List<String> warnings = new ArrayList<>();
        Optional<String> built = compilerOf(Files.readString(inputs.config(), StandardCharsets.ISO_8859_1));
        Optional<String> used = compilerOf(Files.readString(path().resolve(".config"), StandardCharsets.ISO_8859_1));
        if (built.isPresent() && used.isPresent() && !sameCompiler(built.get(), used.get())) {
            warnings.add("the kernel was built with " + built.get() + " but units compile with " + used.get()
                    + "; code may differ from the running kernel's");
        }
        return warnings;
    }

    /** Compiles {@code units} (paths of .c files in the tree) afresh and copies each object to {@code out}. */
    public void compile(List<FixPatch.Touched> units, String compiler, Path out) throws IOException {
        if (units.isEmpty()) {
            return;
        }
        List<String> targets = new ArrayList<>();
        for (FixPatch.Touched unit : units) {
            Files.deleteIfExists(path().resolve(unit.object()));
            targets.add(unit.object());
        }
        List<String> args = new ArrayList<>(List.of("CC=" + compiler,
                "KCFLAGS=-ffunction-sections -fdata-sections"));
        args.addAll(targets);
        ProcessRunner.Result result = processes.run(makeArgv(args), MAKE_TIMEOUT);
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.COMPILE, "compiling " + String.join(", ", targets)
                    + " failed: " + CompilerOutput.firstErrors(result));
        }
        for (String object : targets) {
            Path target = out.resolve(object);
            Files.createDirectories(target.getParent());
            Files.copy(path().resolve(object), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the tree and its stamp (a tree in an unknown state is made again from the tarball). */
    public void discard() throws IOException {
        Files.deleteIfExists(dir.resolve(STAMP));
        for (String leftover : List.of("tree", "unpack")) {
            Path p = dir.resolve(leftover);
            if (Files.exists(p)) {
                ProcessRunner.Result rm = processes.run(List.of("rm", "-rf", "--", p.toString()), UNPACK_TIMEOUT);
                if (!rm.ok()) {
                    throw new IOException("cannot remove " + p + ": " + rm.stderr().strip());
                }
            }
        }
    }

    private void unpack(Path tarball) throws IOException {
        Path unpack = Files.createDirectories(dir.resolve("unpack"));
        ProcessRunner.Result tar = processes.run(List.of("tar", "-xf", tarball.toString(), "-C", unpack.toString()),
                UNPACK_TIMEOUT);
        if (!tar.ok()) {
            throw new BuildException(BuildException.Reason.REFUSED, "cannot unpack " + tarball + ": "
                    + tar.stderr().strip().lines().findFirst().orElse("tar failed"));
        }
        List<Path> top;
        try (Stream<Path> entries = Files.list(unpack)) {
            top = entries.toList();
        }
        if (top.size() != 1 || !Files.isRegularFile(top.get(0).resolve("Makefile"))) {
            throw new BuildException(BuildException.Reason.REFUSED, tarball
                    + " is not a kernel source tarball (expected one top directory with a Makefile)");
        }
        Files.move(top.get(0), path());
        Files.delete(unpack);
    }

    private void make(String compiler, List<String> targets, String what) throws IOException {
        List<String> args = new ArrayList<>(List.of("CC=" + compiler));
        args.addAll(targets);
        ProcessRunner.Result result = processes.run(makeArgv(args), MAKE_TIMEOUT);
        if (!result.ok()) {
            throw new BuildException(BuildException.Reason.COMPILE, what + " the kernel source in " + path()
                    + " failed: " + CompilerOutput.firstErrors(result));
        }
    }

    private List<String> makeArgv(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("make", "-s", "-C", path().toString()));
        argv.addAll(args);
        return argv;
    }

    private static String stampOf(Inputs inputs) throws IOException {
        return "source=" + inputs.tarball().toAbsolutePath() + " size=" + Files.size(inputs.tarball())
                + " mtime=" + Files.getLastModifiedTime(inputs.tarball()).toMillis() + "\n"
                + "config-sha256=" + Sha256.of(inputs.config()) + "\n"
                + "compiler=" + inputs.compiler() + "\n";
    }

    /** VERSION.PATCHLEVEL.SUBLEVEL of a kernel Makefile, following Debian's one-line {@code include} wrapper. */
    static Optional<String> version(Path makefile) throws IOException {
        for (int hops = 0; hops < 3 && Files.isRegularFile(makefile); hops++) {
            String text = Files.readString(makefile, StandardCharsets.ISO_8859_1);
            Matcher m = MAKE_VAR.matcher(text);
            String version = null;
            String patchlevel = null;
            String sublevel = null;
            while (m.find()) {
                switch (m.group(1)) {
                    case "VERSION" -> version = version == null ? m.group(2) : version;
                    case "PATCHLEVEL" -> patchlevel = patchlevel == null ? m.group(2) : patchlevel;
                    default -> sublevel = sublevel == null ? m.group(2) : sublevel;
                }
            }
            if (version != null && patchlevel != null && sublevel != null) {
                return Optional.of(version + "." + patchlevel + "." + sublevel);
            }
            Matcher include = Pattern.compile("^include\\s+(\\S+)\\s*$", Pattern.MULTILINE).matcher(text);
            if (!include.find()) {
                return Optional.empty();
            }
            makefile = makefile.resolveSibling(include.group(1));
        }
        return Optional.empty();
    }

    /** The compiler a kernel config was made with: {@code gcc-12} from {@code "gcc-12 (Debian 12.2.0-14) 12.2.0"}. */
    static Optional<String> compilerOf(String config) {
        Matcher m = CC_TEXT.matcher(config);
        return m.find() && !m.group(1).isBlank() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String programOf(String ccVersionText) {
        return ccVersionText.split("\\s+", 2)[0];
    }

    /** Same compiler release whatever it was called: "gcc-12 (Debian 12.2.0-14) 12.2.0" vs "gcc (Debian ...)". */
    private static boolean sameCompiler(String a, String b) {
        return a.substring(a.indexOf(' ') + 1).equals(b.substring(b.indexOf(' ') + 1));
    }
}
