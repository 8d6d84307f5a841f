package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Compiles a C source string with the machine's gcc the way kernel objects are built for comparison. */
final class Gcc {
    private Gcc() {
    }

    static Path compile(Path dir, String name, String source) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path c = dir.resolve(name + ".c");
        Path o = dir.resolve(name + ".o");
        Files.writeString(c, source);
        Process p = new ProcessBuilder(List.of("gcc", "-O2", "-ffunction-sections", "-fdata-sections",
                "-fno-asynchronous-unwind-tables", "-c", c.toString(), "-o", o.toString()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("gcc failed for " + name + ":\n" + output);
        }
        return o;
    }
}
