package org.patchvisor.guest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.time.Deadline;

/**
 * The byte level of the guest agent protocol on a UNIX socket: one JSON object per line each way, every read
 * bounded by a deadline (a non-blocking channel and a selector, because a blocking {@link SocketChannel}
 * cannot time out), and the {@code guest-sync-delimited} handshake that skips stale replies up to the
 * agent's 0xFF marker. Not thread-safe; {@link QgaSocketChannel} serialises callers.
 */
final class QgaWire implements AutoCloseable {
    static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;
    private static final byte DELIMITER = (byte) 0xFF;

    private final SocketChannel socket;
    private final Selector selector;
    private final ObjectMapper json;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    private QgaWire(SocketChannel socket, Selector selector, ObjectMapper json) {
        this.socket = socket;
        this.selector = selector;
        this.json = json;
        in.flip();
    }

    static QgaWire connect(Path path, ObjectMapper json) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(path));
            socket.configureBlocking(false);
            Selector selector = Selector.open();
            socket.register(selector, SelectionKey.OP_READ);
            return new QgaWire(socket, selector, json);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one command line, optionally led by 0xFF so the agent drops any half-parsed input. */
    void send(JsonNode command, boolean resetParser, Deadline deadline) throws IOException, GuestTimeoutException {
        byte[] body = json.writeValueAsBytes(command);
        ByteBuffer out = ByteBuffer.allocate(body.length + 2);
        if (resetParser) {
            out.put(DELIMITER);
        }
        out.put(body).put((byte) '\n').flip();
        while (out.hasRemaining()) {
            if (socket.write(out) == 0) {
                // The socket buffer is full: the agent is not reading. Wait for room, within the deadline.
                SelectionKey key = socket.keyFor(selector);
                key.interestOps(SelectionKey.OP_WRITE);
                try {
                    awaitReady(deadline, "sending " + command.path("execute").asText());
                } finally {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
        }
    }

    /** Reads the next non-empty reply line and parses it. Malformed JSON is an {@link IOException}. */
    JsonNode readReply(Deadline deadline, String what) throws IOException, GuestTimeoutException {
        while (true) {
            byte[] line = readLine(deadline, what);
            if (isBlank(line)) {
                continue;
            }
            try {
                return json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException("guest agent sent malformed JSON for " + what + ": "
                        + e.getOriginalMessage());
            }
        }
    }

    /**
     * Runs the {@code guest-sync-delimited} handshake with a fresh {@code id}: everything before the agent's
     * 0xFF marker, and every delimited reply carrying another id, is a leftover of an earlier exchange.
     */
    void sync(long id, Deadline deadline) throws IOException, GuestTimeoutException {
        JsonNode command = json.createObjectNode()
                .put("execute", "guest-sync-delimited")
                .set("arguments", json.createObjectNode().put("id", id));
        send(command, true, deadline);
        while (true) {
            skipToDelimiter(deadline);
            byte[] line = readLine(deadline, "guest-sync-delimited");
            JsonNode reply;
            try {
                reply = json.readTree(line);
            } catch (JsonProcessingException e) {
                continue;
            }
            if (reply != null && reply.path("return").isIntegralNumber() && reply.path("return").asLong() == id) {
                return;
            }
        }
    }

    private void skipToDelimiter(Deadline deadline) throws IOException, GuestTimeoutException {
        while (true) {
            while (in.hasRemaining()) {
                if (in.get() == DELIMITER) {
                    return;
                }
            }
            fill(deadline, "guest-sync-delimited");
        }
    }

    private byte[] readLine(Deadline deadline, String what) throws IOException, GuestTimeoutException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return line.toByteArray();
                }
                line.write(b);
            }
            if (line.size() > MAX_REPLY_BYTES) {
                throw new IOException("guest agent reply to " + what + " exceeds " + MAX_REPLY_BYTES + " bytes");
            }
            fill(deadline, what);
        }
    }

    private void fill(Deadline deadline, String what) throws IOException, GuestTimeoutException {
        in.clear();
        try {
            while (true) {
                int n = socket.read(in);
                if (n < 0) {
                    throw new IOException("guest agent closed the connection while waiting for " + what);
                }
                if (n > 0) {
                    return;
                }
                awaitReady(deadline, what);
            }
        } finally {
            in.flip();
        }
    }

    private void awaitReady(Deadline deadline, String what) throws IOException, GuestTimeoutException {
        if (deadline.expired()) {
            throw new GuestTimeoutException("guest agent did not answer " + what + " in time");
        }
        // The socket is the clock here: a real wait on the selector, bounded by what the deadline has left.
        selector.select(Math.max(1, deadline.remaining().toMillis()));
        selector.selectedKeys().clear();
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            socket.close();
        }
    }
}
