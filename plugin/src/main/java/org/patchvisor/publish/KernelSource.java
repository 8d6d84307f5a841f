package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.patchvisor.io.ProcessRunner;

/**
 * What the kernel's own source tree is made from, for one release: the upstream version (from the kernel's
 * headers), Debian's {@code linux-source-X.Y} tarball, the kernel's configuration, and the compiler that
 * configuration names, when it is installed.
 */
public record KernelSource(String release, String version, Path tarball, Path config, String compiler) {
    private static final Pattern MAKE_VAR = Pattern.compile("^(VERSION|PATCHLEVEL|SUBLEVEL)\\s*=\\s*(\\d+)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern INCLUDE = Pattern.compile("^include\\s+(\\S+)\\s*$", Pattern.MULTILINE);
    private static final Pattern CC_TEXT = Pattern.compile("^CONFIG_CC_VERSION_TEXT=\"([^\"]*)\"", Pattern.MULTILINE);

    /**
     * Works out the inputs for {@code release} on the machine under {@code root}: Debian's
     * {@code /usr/src/linux-source-X.Y.tar.xz} unless {@code tarball} is given, the headers' {@code .config} (else
     * {@code /boot/config-RELEASE}) unless {@code config} is given.
     */
    public static KernelSource locate(Path root, String release, Optional<Path> tarball, Optional<Path> config,
                                      ProcessRunner processes) throws IOException {
        Path headers = root.resolve("usr/src/linux-headers-" + release);
        String version = version(headers.resolve("Makefile"), root).orElseThrow(() -> new BuildException(
                BuildException.Reason.REFUSED, "cannot tell the source version of " + release + " from " + headers
                + "/Makefile (install linux-headers-" + release + ")"));
        String series = version.substring(0, version.lastIndexOf('.'));
        Path source = tarball.orElse(root.resolve("usr/src/linux-source-" + series + ".tar.xz"));
        if (!Files.isRegularFile(source)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel source at " + source
                    + (tarball.isPresent() ? "" : " (install linux-source-" + series + ")"));
        }
        Path configFile;
        if (config.isPresent()) {
            configFile = config.get();
        } else if (Files.isRegularFile(headers.resolve(".config"))) {
            configFile = headers.resolve(".config");
        } else {
            configFile = root.resolve("boot/config-" + release);
        }
        if (!Files.isRegularFile(configFile)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no kernel configuration for " + release + " at "
                    + (config.isPresent() ? configFile : headers.resolve(".config") + " or " + configFile)
                    + " (give --kernel-config)");
        }
        String compiler = compilerOf(Files.readString(configFile, StandardCharsets.ISO_8859_1))
                .map(KernelSource::programOf).filter(processes::available).orElse("gcc");
        return new KernelSource(release, version, source, configFile, compiler);
    }

    /** VERSION.PATCHLEVEL.SUBLEVEL of a kernel source tree's own Makefile. */
    static Optional<String> version(Path makefile) throws IOException {
        return version(makefile, Path.of("/"));
    }

    /**
     * The same, following Debian's one-line {@code include /usr/src/linux-headers-...-common/Makefile} wrapper; an
     * absolute include is read under {@code root}.
     */
    static Optional<String> version(Path makefile, Path root) throws IOException {
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
            Matcher include = INCLUDE.matcher(text);
            if (!include.find()) {
                return Optional.empty();
            }
            String included = include.group(1);
            makefile = included.startsWith("/") ? root.resolve(included.substring(1))
                    : makefile.resolveSibling(included);
        }
        return Optional.empty();
    }

    /** The compiler a kernel config was made with: {@code "gcc-12 (Debian 12.2.0-14) 12.2.0"}. */
    static Optional<String> compilerOf(String config) {
        Matcher m = CC_TEXT.matcher(config);
        return m.find() && !m.group(1).isBlank() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Same compiler release whatever it was called: "gcc-12 (Debian 12.2.0-14) 12.2.0" vs "gcc (Debian ...)". */
    static boolean sameCompiler(String a, String b) {
        return a.substring(a.indexOf(' ') + 1).equals(b.substring(b.indexOf(' ') + 1));
    }

    private static String programOf(String ccVersionText) {
        return ccVersionText.split("\\s+", 2)[0];
    }
}
