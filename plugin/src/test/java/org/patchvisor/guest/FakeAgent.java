package org.patchvisor.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for qemu-ga on a UNIX socket: reads newline-framed commands (dropping 0xFF parser resets the
 * way the agent does), answers guest-sync-delimited itself, and hands every other command to a script that
 * returns the raw reply line (so tests can send garbage) or null to stay silent.
 */
final class FakeAgent implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread thread;
    private final ObjectMapper json = new ObjectMapper();
    private final Function<JsonNode, String> script;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    /** Written before the delimited sync reply: leftovers of earlier exchanges. */
    volatile String staleBeforeSync = "";
    volatile boolean answerSync = true;

    FakeAgent(Path socket, Function<JsonNode, String> script) throws IOException {
        this.script = script;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "fake-qga");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try (SocketChannel client = server.accept()) {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = Channels.newOutputStream(client);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == 0xFF) {
                    line.reset();
                } else if (b != '\n') {
                    line.write(b);
                } else {
                    handle(json.readTree(line.toByteArray()), out);
                    line.reset();
                }
            }
        } catch (IOException e) {
            // The test closed the socket: nothing left to serve.
        }
    }

    private void handle(JsonNode command, OutputStream out) throws IOException {
        received.add(command);
        String execute = command.path("execute").asText();
        if (execute.equals("guest-sync-delimited")) {
            if (answerSync) {
                out.write(staleBeforeSync.getBytes(StandardCharsets.UTF_8));
                out.write(0xFF);
                out.write(("{\"return\": " + command.path("arguments").path("id").asLong() + "}\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            return;
        }
        String reply = script.apply(command);
        if (reply != null) {
            out.write(reply.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    List<String> commands() {
        return received.stream().map(c -> c.path("execute").asText()).toList();
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
