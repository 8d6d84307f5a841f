package org.patchvisor.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * A {@link GuestChannel} that speaks the QEMU guest agent protocol directly on the UNIX socket QEMU exposes
 * for the agent's virtio-serial port ({@code -chardev socket,path=...}), with no libvirt in between. Used by
 * the real-kernel test lane and wherever a bare QEMU guest is reached. The protocol is {@link QgaProtocol};
 * this class adds the socket transport: after any timeout or garbled reply the next call first
 * resynchronises with {@code guest-sync-delimited}, so a late answer to an abandoned command is never taken
 * for the answer to a new one.
 */
public final class QgaSocketChannel implements GuestChannel {
    /** Files move in chunks this large: one agent message must stay well below its size cap. */
    public static final int CHUNK_BYTES = QgaProtocol.CHUNK_BYTES;

    private final QgaProtocol protocol;

    private QgaSocketChannel(QgaProtocol protocol) {
        this.protocol = protocol;
    }

    /** Connects to the agent socket at {@code path}. Nothing is sent until the first call. */
    public static QgaSocketChannel connect(Path path) throws IOException {
        return connect(path, Ticker.SYSTEM);
    }

    /** As {@link #connect(Path)}, every deadline measured on {@code ticker}. */
    public static QgaSocketChannel connect(Path path, Ticker ticker) throws IOException {
        ObjectMapper json = new ObjectMapper();
        return new QgaSocketChannel(new QgaProtocol(new SocketTransport(QgaWire.connect(path, json), ticker), ticker));
    }

    @Override
    public GuestOs os(Duration timeout) throws IOException, GuestTimeoutException {
        return protocol.os(timeout);
    }

    @Override
    public boolean ping(Duration timeout) {
        return protocol.ping(timeout);
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws IOException, GuestTimeoutException {
        return protocol.exec(argv, timeout);
    }

    @Override
    public void writeFile(String path, byte[] content, Duration timeout) throws IOException, GuestTimeoutException {
        protocol.writeFile(path, content, timeout);
    }

    @Override
    public byte[] readFile(String path, long maxBytes, Duration timeout) throws IOException, GuestTimeoutException {
        return protocol.readFile(path, maxBytes, timeout);
    }

    @Override
    public void close() throws IOException {
        protocol.close();
    }

    /** One JSON line each way on the socket, with a resync before the first command and after any failure. */
    private static final class SocketTransport implements QgaTransport {
        private static final AtomicLong SYNC_IDS = new AtomicLong(System.nanoTime() & 0x3fff_ffffL);

        private final QgaWire wire;
        private final Ticker ticker;
        private boolean needsSync = true;

        SocketTransport(QgaWire wire, Ticker ticker) {
            this.wire = wire;
            this.ticker = ticker;
        }

        @Override
        public JsonNode send(ObjectNode command, Duration timeout) throws IOException, GuestTimeoutException {
            Deadline deadline = Deadline.after(ticker, timeout);
            String name = command.path("execute").asText();
            boolean ok = false;
            try {
                if (needsSync) {
                    wire.sync(SYNC_IDS.incrementAndGet(), deadline);
                    needsSync = false;
                }
                wire.send(command, false, deadline);
                JsonNode reply = wire.readReply(deadline, name);
                // A reply with neither field is garbage: resynchronise before the next command.
                ok = reply.has("return") || reply.has("error");
                return reply;
            } finally {
                if (!ok) {
                    needsSync = true;
                }
            }
        }

        @Override
        public void close() throws IOException {
            wire.close();
        }
    }
}
