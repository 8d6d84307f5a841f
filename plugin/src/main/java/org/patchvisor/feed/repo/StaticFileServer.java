package org.patchvisor.feed.repo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Serves a repository directory read-only over HTTP with the JDK server: GET and HEAD of regular files only,
 * no listings, nothing outside the directory (dot-dot, symlinks out, encoded tricks all end in 404). An optional
 * access log gets one line per request ({@code METHOD PATH STATUS BYTES}), so an operator can see what was fetched.
 */
public final class StaticFileServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService workers;
    private final Path root;
    private final Consumer<String> accessLog;

    private StaticFileServer(HttpServer server, ExecutorService workers, Path root, Consumer<String> accessLog) {
        this.server = server;
        this.workers = workers;
        this.root = root;
        this.accessLog = accessLog;
    }

    public static StaticFileServer start(Path directory, InetSocketAddress address) throws IOException {
        return start(directory, address, line -> { });
    }

    /** As {@link #start(Path, InetSocketAddress)}, handing one line per request to {@code accessLog}. */
    public static StaticFileServer start(Path directory, InetSocketAddress address, Consumer<String> accessLog)
            throws IOException {
        Path root = directory.toRealPath();
        HttpServer server = HttpServer.create(address, 32);
        ExecutorService workers = Executors.newFixedThreadPool(4);
        StaticFileServer files = new StaticFileServer(server, workers, root, accessLog);
        server.createContext("/", files::handle);
        server.setExecutor(workers);
        server.start();
        return files;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public URI uri() {
        return URI.create("http://" + address().getHostString() + ":" + address().getPort() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                serve(exchange);
            } finally {
                accessLog.accept(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
                        + exchange.getResponseCode() + " " + sent(exchange));
            }
        }
    }

    private static String sent(HttpExchange exchange) {
        String length = exchange.getResponseHeaders().getFirst("Content-Length");
        return length == null ? "-" : length;
    }

    private void serve(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, 405, "method not allowed");
            return;
        }
        Path file = resolve(exchange.getRequestURI().getPath());
        if (file == null) {
            send(exchange, 404, "not found");
            return;
        }
        long size = Files.size(file);
        exchange.getResponseHeaders().set("Content-Type", file.getFileName().toString().endsWith(".json")
                ? "application/json" : "application/octet-stream");
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
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

    private static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
