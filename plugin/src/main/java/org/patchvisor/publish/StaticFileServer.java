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
import java.util.function.LongConsumer;

/**
 * Serves a repository directory read-only over HTTP/1.1: GET and HEAD of regular files only, no listings, nothing
 * outside the directory (dot-dot, symlinks out, encoded tricks all end in 404), one request per connection. An
 * optional access log gets one line per request ({@code METHOD PATH STATUS BYTES}, BYTES being the body bytes that
 * got out, then {@code cut off (of LENGTH)} when not all of it did), so an operator can see what was really
 * fetched. Requests arrive through a {@link RequestGate}, so slow or silent senders never hold the workers that
 * send files; a client that stops reading its answer is cut off once a piece of it has not got out within the
 * request deadline, and each response has an overall deadline ({@link ServeLimits}).
 */
public final class StaticFileServer implements AutoCloseable {
    /**
     * The most written at once: a client must take a piece this size within the request deadline, so the slowest
     * reader served is about 6 KiB/s with the 10 s default (any host fetching a module manages far more).
     */
    private static final int PIECE = 64 * 1024;
    private static final long WATCH_MILLIS = 500;
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
        Progress progress = new Progress(System.nanoTime());
        // A client that stops reading (a zero receive window) would hold this worker inside a blocking write: a
        // watchdog closes the connection when no piece of the answer got out for the request deadline, or when the
        // whole answer took longer than the response deadline. Closing the channel ends the blocked write.
        ScheduledFuture<?> watchdog = deadlines.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            if (now - progress.last > limits.requestDeadline().toNanos()
                    || now - progress.started > limits.responseDeadline().toNanos()) {
                connection.close();
            }
        }, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        Response response = null;
        boolean whole = false;
        try (connection) {
            try {
                response = respond(head);
                response.send(connection.channel(), progress);
                whole = true;
            } finally {
                watchdog.cancel(false);
                // before the connection closes: a client that saw the end of its answer finds the line logged
                accessLog.accept(logLine(head, response, progress.body, whole));
            }
        } catch (IOException e) {
            // the client hung up, or the watchdog closed the connection
        }
    }

    /** What was answered and how much of it got out: a cut-off answer is never logged as a whole one. */
    private static String logLine(RequestHead head, Response response, long body, boolean whole) {
        String line = head.method() + " " + head.rawPath() + " ";
        if (response == null) {
            return line + "0 -";
        }
        line += response.status() + " " + body;
        return whole ? line : line + " cut off (of " + (response.headersOnly() ? 0 : response.length()) + ")";
    }

    /**
     * When the answer started and when the last piece of it was written (both System.nanoTime), and how many body
     * bytes were written.
     */
    private static final class Progress {
        final long started;
        volatile long last;
        /** Written and read by the worker that sends the answer only. */
        long body;

        Progress(long started) {
            this.started = started;
            this.last = started;
        }

        void advance() {
            last = System.nanoTime();
        }

        void sentBody(long bytes) {
            body += bytes;
            advance();
        }
    }

    /** What to send: a status line with headers, and a body from memory or from a file. */
    private record Response(int status, String reason, String type, long length, byte[] text, Path file,
            boolean headersOnly) {
        static Response text(int status, String reason, String text) {
            byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
            return new Response(status, reason, "text/plain; charset=utf-8", body.length, body, null, false);
        }

        /** Writes the answer in pieces of at most {@link #PIECE} bytes, telling {@code progress} after each. */
        void send(SocketChannel channel, Progress progress) throws IOException {
            String headers = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + length + "\r\nConnection: close\r\n\r\n";
            writeFully(channel, ByteBuffer.wrap(headers.getBytes(StandardCharsets.US_ASCII)), n -> progress.advance());
            if (headersOnly) {
                return;
            }
            if (file == null) {
                writeFully(channel, ByteBuffer.wrap(text), progress::sentBody);
                return;
            }
            // Through a buffer rather than transferTo: a write blocked on the socket itself is ended when the
            // watchdog closes the socket, a sendfile blocked inside the file channel is not.
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(PIECE);
                long sent = 0;
                while (sent < length) {
                    buffer.clear().limit((int) Math.min(PIECE, length - sent));
                    if (in.read(buffer, sent) <= 0) {
                        throw new IOException(file + " shrank while it was sent");
                    }
                    buffer.flip();
                    sent += buffer.remaining();
                    writeFully(channel, buffer, progress::sentBody);
                }
            }
        }

        private static void writeFully(SocketChannel channel, ByteBuffer buffer, LongConsumer wrote) throws IOException {
            while (buffer.hasRemaining()) {
                ByteBuffer piece = buffer.slice();
                piece.limit(Math.min(piece.remaining(), PIECE));
                int n = channel.write(piece);
                buffer.position(buffer.position() + n);
                wrote.accept(n);
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
