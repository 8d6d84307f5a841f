package org.patchvisor.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real {@link ProcessRunner}: ProcessBuilder with argv, both streams drained, killed with its children at the
 * timeout.
 */
public final class SystemProcessRunner implements ProcessRunner {
    private final List<Path> path;

    public SystemProcessRunner(String pathVariable) {
        this.path = java.util.Arrays.stream(pathVariable == null ? new String[0] : pathVariable.split(":"))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    @Override
    public Result run(List<String> argv, Duration timeout) throws IOException {
        Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                // make and the compilers it started would go on writing after their parent is gone.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IOException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv.get(0), e);
        }
    }

    @Override
    public boolean available(String program) {
        return path.stream().anyMatch(dir -> Files.isExecutable(dir.resolve(program)));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
