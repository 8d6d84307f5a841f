package org.patchvisor.publish;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Serves a repository directory read-only over HTTP/1.1: GET and HEAD of regular files only, no listings, nothing
 * outside the directory (dot-dot, symlinks out, encoded tricks all end in 404), one request per connection. An
 * optional access log gets one line per request ({@code METHOD PATH STATUS BYTES}), so an operator can see what was
 * fetched. Requests arrive through a {@link RequestGate}, so slow or silent clients never hold the workers that send
 * files, and each response has a deadline ({@link ServeLimits}).
 */
public final class StaticFileServer implements AutoCloseable {
    private final RequestGate gate;
    private final ExecutorService workers;
    private final ScheduledExecutorService deadlines;
    private final Path root;
    private final Consumer<String> accessLog;
    private final ServeLimits limits;

    private StaticFileServer(Path root, Consumer<String> accessLog, ServeLimits limits, InetSocketAddress address)
            throws IOException {
        this.root = root;
        this.accessLog = accessLog;
        this.limits = limits;
        this.workers = Executors.newFixedThreadPool(limits.workers(), daemon("patchvisor-serve-worker"));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(daemon("patchvisor-serve-deadline"));
        try {
            this.gate = RequestGate.open(address, limits, this::dispatch);
        } catch (IOException | RuntimeException e) {
            workers.shutdownNow();
            deadlines.shutdownNow();
            throw e;
        }
    }

    public static StaticFileServer start(Path directory, InetSocketAddress address) throws IOException {
        return start(directory, address, line -> { });
    }

    /** As {@link #start(Path, InetSocketAddress)}, handing one line per request to {@code accessLog}. */
    public static StaticFileServer start(Path directory, InetSocketAddress address, Consumer<String> accessLog)
            throws IOException {
        return start(directory, address, accessLog, ServeLimits.defaults());
    }

    /** As {@link #start(Path, InetSocketAddress, Consumer)} within {@code limits}. */
    public static StaticFileServer start(Path directory, InetSocketAddress address, Consumer<String> accessLog,
            ServeLimits limits) throws IOException {
        return new StaticFileServer(directory.toRealPath(), accessLog, limits, address);
    }

    public InetSocketAddress address() {
        try {
            return gate.address();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public URI uri() {
        return URI.create("http://" + address().getHostString() + ":" + address().getPort() + "/");
    }

    private void dispatch(ClientConnection connection, RequestHead head) {
        try {
            workers.execute(() -> answer(connection, head));
        } catch (RejectedExecutionException e) {
            connection.close(); // shutting down
        }
    }

    private void answer(ClientConnection connection, RequestHead head) {
        ScheduledFuture<?> deadline = deadlines.schedule(connection::close, limits.responseDeadline().toMillis(),
                TimeUnit.MILLISECONDS);
        int status = 0;
        String bytes = "-";
        try (connection) {
            try {
                Response response = respond(head);
                status = response.status();
                bytes = Long.toString(response.length());
                response.send(connection.channel());
            } finally {
                deadline.cancel(false);
                // before the connection closes: a client that saw the end of its answer finds the line logged
                accessLog.accept(head.method() + " " + head.rawPath() + " " + status + " " + bytes);
            }
        } catch (IOException e) {
            // the client hung up, or its deadline closed the connection
        }
    }

    /** What to send: a status line with headers, and a body from memory or from a file. */
    private record Response(int status, String reason, String type, long length, byte[] text, Path file,
            boolean headersOnly) {
        static Response text(int status, String reason, String text) {
            byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
            return new Response(status, reason, "text/plain; charset=utf-8", body.length, body, null, false);
        }

        void send(SocketChannel channel) throws IOException {
            String headers = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + length + "\r\nConnection: close\r\n\r\n";
            writeFully(channel, ByteBuffer.wrap(headers.getBytes(StandardCharsets.US_ASCII)));
            if (headersOnly) {
                return;
            }
            if (file == null) {
                writeFully(channel, ByteBuffer.wrap(text));
                return;
            }
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                long sent = 0;
                while (sent < length) {
                    long n = in.transferTo(sent, length - sent, channel);
                    if (n <= 0) {
                        throw new IOException(file + " shrank while it was sent");
                    }
                    sent += n;
                }
            }
        }

        private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    private Response respond(RequestHead head) throws IOException {
        String method = head.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Response.text(405, "Method Not Allowed", "method not allowed");
        }
        Path file = resolve(head.path());
        if (file == null) {
            return Response.text(404, "Not Found", "not found");
        }
        long size = Files.size(file);
        String type = file.getFileName().toString().endsWith(".json") ? "application/json" : "application/octet-stream";
        return new Response(200, "OK", type, size, null, file, method.equals("HEAD"));
    }

    /** The real file for a request path, or null when it is missing, not a regular file, or outside the root. */
    private Path resolve(String requestPath) throws IOException {
        if (requestPath == null || requestPath.indexOf('\0') >= 0) {
            return null;
        }
        Path candidate = root.resolve(requestPath.replaceFirst("^/+", "")).normalize();
        if (!candidate.startsWith(root) || !Files.isRegularFile(candidate)) {
            return null;
        }
        Path real = candidate.toRealPath();
        return real.startsWith(root) ? real : null;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        try {
            gate.close();
        } catch (IOException e) {
            // closing anyway
        }
        workers.shutdownNow();
        deadlines.shutdownNow();
    }
}
