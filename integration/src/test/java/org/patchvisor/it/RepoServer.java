package org.patchvisor.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/patchvisor repo serve DIR --access-log} on a free loopback port, as a publisher would run it; keeps its
 * access log so a test can count what was downloaded.
 */
final class RepoServer implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving .* at http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final int port;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private RepoServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server; its first line says the port. */
    static RepoServer start(Path repo) throws IOException {
        Process process = new ProcessBuilder(HostScripts.projectRoot().resolve("bin/patchvisor").toString(), "repo",
                "serve", repo.toString(), "--bind", "127.0.0.1", "--port", "0", "--access-log")
                .redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                return "cannot read: " + e.getMessage();
            }
        });
        String line;
        try {
            line = first.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("repo serve did not start within 60 s", e);
        }
        Matcher m = line == null ? null : SERVING.matcher(line);
        if (m == null || !m.find()) {
            process.destroyForcibly();
            throw new IOException("repo serve did not say where it serves: " + line);
        }
        RepoServer server = new RepoServer(process, Integer.parseInt(m.group(1)));
        // Keep draining its output (the access log) so it never blocks on a full pipe.
        Thread drain = new Thread(() -> lines.lines().forEach(server.log::add), "repo-serve-output");
        drain.setDaemon(true);
        drain.start();
        return server;
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Successful GETs of the blob with this sha256 so far (an answer cut off is none). */
    long blobDownloads(String sha256) throws InterruptedException {
        return settled(() -> log.stream().filter(l -> l.startsWith("GET /blobs/sha256/" + sha256 + " 200 ")
                && !l.contains(" cut off ")).count());
    }

    /** Successful GETs of any blob so far. */
    long blobDownloads() throws InterruptedException {
        return settled(() -> log.stream().filter(l -> l.startsWith("GET /blobs/") && l.contains(" 200 ")
                && !l.contains(" cut off ")).count());
    }

    /**
     * The server logs a request after sending it, through a pipe this class drains: a count is read once it has
     * not changed for a second (at most 15 s), so a request the client has finished is never missed.
     */
    private static long settled(LongSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long last = count.getAsLong();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(1) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = count.getAsLong();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
