package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate thread outlives a failure while handing on one connection: the next clients are still served, and the
 * failed connection is closed and its address's place given back.
 */
class RequestGateTest {
    private static final byte[] OK = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aFailureWithOneConnectionDoesNotStopTheGate() throws Exception {
        AtomicInteger handed = new AtomicInteger();
        ServeLimits limits = new ServeLimits(Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16, 1);
        try (RequestGate gate = RequestGate.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits,
                (connection, head) -> {
                    if (handed.incrementAndGet() == 1) {
                        connection.close();
                        throw new IllegalStateException("a receiver that fails once");
                    }
                    try {
                        connection.channel().write(ByteBuffer.wrap(OK));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } finally {
                        connection.close();
                    }
                })) {
            int port = gate.address().getPort();
            assertEquals("", get(port), "the first client's receiver failed: closed without an answer");
            assertEquals("HTTP/1.1 204 No Content", get(port).lines().findFirst().orElse(""));
            assertEquals(2, handed.get());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aReceiverThatThrowsWithTheConnectionHasItClosedAndItsPlaceGivenBack() throws Exception {
        AtomicInteger handed = new AtomicInteger();
        // One connection per address: the second client is served only if the first one's place came back.
        ServeLimits limits = new ServeLimits(Duration.ofSeconds(5), Duration.ofSeconds(5), 1, 16, 1);
        try (RequestGate gate = RequestGate.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits,
                (connection, head) -> {
                    if (handed.incrementAndGet() == 1) {
                        throw new IllegalStateException("a receiver that fails once, before it took the connection");
                    }
                    answer(connection);
                })) {
            int port = gate.address().getPort();
            assertEquals("", get(port), "the failed connection is closed, not left open");
            assertEquals("HTTP/1.1 204 No Content", get(port).lines().findFirst().orElse(""));
            assertEquals(2, handed.get());
        }
    }

    private static void answer(ClientConnection connection) {
        try {
            connection.channel().write(ByteBuffer.wrap(OK));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            connection.close();
        }
    }

    private static String get(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /index.json HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
