package org.patchvisor.guest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.time.Deadline;

/**
 * The byte level of the guest agent protocol on a UNIX socket: one JSON object per line each way, every read and
 * write bounded by a deadline, and the {@code guest-sync-delimited} handshake that skips stale replies up to the
 * agent's 0xFF marker. The channel is non-blocking (a blocking {@link SocketChannel} cannot time out); while it has
 * nothing to give or no room to take, the wire waits a moment on a selector and then pauses on the deadline's
 * ticker ({@link #await}). Not thread-safe; {@link QgaSocketChannel} serialises callers.
 */
final class QgaWire implements AutoCloseable {
    static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;
    private static final byte DELIMITER = (byte) 0xFF;
    /** The real wait on the selector in each step of a wait: an agent that answers within it is read at once. */
    private static final long SLICE_MILLIS = 1;
    /**
     * The pauses on the ticker after a slice with nothing ready: short at first, then doubling up to a bound that
     * keeps a reply waited on for minutes cheap and a late one read soon after it comes.
     */
    private static final Duration PAUSE_FIRST = Duration.ofMillis(1);
    private static final Duration PAUSE_MAX = Duration.ofMillis(20);

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
        Duration pause = PAUSE_FIRST;
        while (out.hasRemaining()) {
            if (socket.write(out) > 0) {
                pause = PAUSE_FIRST;
                continue;
            }
            // The socket buffer is full: the agent is not reading. Wait for room, within the deadline.
            SelectionKey key = socket.keyFor(selector);
            key.interestOps(SelectionKey.OP_WRITE);
            try {
                pause = await(deadline, "sending " + command.path("execute").asText(), pause);
            } finally {
                key.interestOps(SelectionKey.OP_READ);
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
            Duration pause = PAUSE_FIRST;
            while (true) {
                int n = socket.read(in);
                if (n < 0) {
                    throw new IOException("guest agent closed the connection while waiting for " + what);
                }
                if (n > 0) {
                    return;
                }
                pause = await(deadline, what, pause);
            }
        } finally {
            in.flip();
        }
    }

    /**
     * One step of a wait for the socket; returns the pause for the next step. The deadline is the ticker's: a
     * selector waits in real time, which a test's ticker (moving only when slept on) never sees, so a wait spent
     * on the selector alone would never reach the deadline. Each step therefore waits one real slice on the
     * selector, which ends as soon as the socket is ready, so the ticker does not run ahead of an agent that is
     * answering, and then, still idle, pauses on the ticker, never past the deadline.
     */
    private Duration await(Deadline deadline, String what, Duration pause) throws IOException, GuestTimeoutException {
        if (deadline.expired()) {
            throw new GuestTimeoutException("guest agent did not answer " + what + " in time");
        }
        if (selector.select(SLICE_MILLIS) > 0) {
            selector.selectedKeys().clear();
            return PAUSE_FIRST;
        }
        try {
            if (!deadline.sleep(pause)) {
                throw new GuestTimeoutException("guest agent did not answer " + what + " in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the guest agent to answer " + what);
        }
        Duration next = pause.multipliedBy(2);
        return next.compareTo(PAUSE_MAX) > 0 ? PAUSE_MAX : next;
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
