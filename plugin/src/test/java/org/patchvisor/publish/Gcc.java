package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Compiles a C source string with the machine's gcc the way kernel objects are built for comparison. Without gcc
 * a test is skipped on a developer machine and fails under {@code CI=true}.
 */
final class Gcc {
    /**
     * The flags x86-64 kbuild passes that shape a function's code for the comparison: ftrace's
     * {@code -pg -mrecord-mcount -mfentry}, IBT's {@code -fcf-protection=branch} ({@code endbr64} first), and the
     * kernel code model.
     */
    static final List<String> KERNEL_FLAGS = List.of("-O2", "-ffunction-sections", "-fdata-sections",
            "-fno-asynchronous-unwind-tables", "-pg", "-mfentry", "-mrecord-mcount", "-fno-pic", "-mcmodel=kernel",
            "-fcf-protection=branch");

    private Gcc() {
    }

    static Path compile(Path dir, String name, String source) throws IOException, InterruptedException {
        return compile(dir, name, source, List.of("-O2", "-ffunction-sections", "-fdata-sections",
                "-fno-asynchronous-unwind-tables"));
    }

    /**
     * Compiles with {@link #KERNEL_FLAGS} and then {@code extra}. As kbuild's {@code -fmacro-prefix-map} does,
     * {@code __FILE__} is the name relative to {@code dir}, so two builds in two directories agree on it.
     */
    static Path kernel(Path dir, String name, String source, String... extra)
            throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(KERNEL_FLAGS);
        flags.add("-fmacro-prefix-map=" + dir.toAbsolutePath() + "/=");
        flags.addAll(List.of(extra));
        return compile(dir, name, source, flags);
    }

    static Path compile(Path dir, String name, String source, List<String> flags)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path c = dir.resolve(name + ".c");
        Path o = dir.resolve(name + ".o");
        Files.writeString(c, source);
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(flags);
        command.addAll(List.of("-c", c.toString(), "-o", o.toString()));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.assumeTrue("true".equals(System.getenv("CI")), "gcc is not installed");
            throw new AssertionError("gcc is required under CI=true but cannot be run", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("gcc failed for " + name + ":\n" + output);
        }
        return o;
    }
}
