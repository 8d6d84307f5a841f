package org.patchvisor.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Python's own {@code http.server} serving a directory on a free loopback port: a feed's files behind a plain
 * static web server that is not patchvisor's, as a mirror or CDN would serve them. Keeps its request log.
 */
final class PythonStaticServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private PythonStaticServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PythonStaticServer start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process process = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind",
                "127.0.0.1", "--directory", dir.toString()).redirectErrorStream(true).start();
        PythonStaticServer server = new PythonStaticServer(process, port);
        Thread drain = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(server.log::add), "python-http-output");
        drain.setDaemon(true);
        drain.start();
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return server;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("python3 -m http.server exited: " + server.log);
                }
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IOException("python3 -m http.server did not listen on port " + port + ": " + server.log);
    }

    int port() {
        return port;
    }

    /** The URL a VM with user-mode networking reaches this server at. */
    String urlFromVm() {
        return "http://" + KernelVm.HOST_ADDRESS + ":" + port + "/";
    }

    /** How many requests for {@code path} this server answered. */
    long requests(String path) {
        return log.stream().filter(l -> l.contains("\"GET /" + path + " ")).count();
    }

    List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        process.destroy();
    }
}
