package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sockets on loopback against the server: clients that send half a request and stop, or nothing at all, must
 * not delay anyone else, and are closed once their request deadline passes. A second loopback address (127.0.0.2,
 * which Linux routes to lo) plays another client machine.
 */
class StaticFileServerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    private static final InetAddress ATTACKER = address("127.0.0.2");

    @TempDir
    Path repo;
    StaticFileServer server;
    final List<Socket> clients = new ArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        Files.writeString(repo.resolve("index.json"), "{\"serial\":1}\n");
        server = StaticFileServer.start(repo, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log::add,
                new ServeLimits(DEADLINE, Duration.ofSeconds(30), 16, 1024, 4));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        server.close();
    }

    @Test
    void clientsThatSendHalfARequestDelayNoOneAndAreClosedAtTheirDeadline() throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            Socket slow = connect(InetAddress.getLoopbackAddress());
            slow.getOutputStream().write("GET /index.json HT".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
        }
        String answer = get(InetAddress.getLoopbackAddress(), "/index.json");
        long answeredAfter = System.nanoTime() - start;
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\n{\"serial\":1}\n"), answer);
        assertTrue(answeredAfter < DEADLINE.toNanos(), "answered before the slow clients' deadline: " + answeredAfter);

        for (Socket slow : clients) {
            String closing = readUntilClosed(slow);
            assertTrue(closing.isEmpty() || closing.startsWith("HTTP/1.1 408 "), closing);
        }
        long closedAfter = System.nanoTime() - start;
        assertTrue(closedAfter >= DEADLINE.toNanos() - Duration.ofMillis(200).toNanos(), "not before the deadline");
        assertEquals(List.of("GET /index.json 200 13"), log);
    }

    @Test
    void clientsThatStopReadingTheirAnswerAreCutOffAndDelayNoOneForLong() throws Exception {
        try (java.io.RandomAccessFile blob = new java.io.RandomAccessFile(repo.resolve("blob").toFile(), "rw")) {
            blob.setLength(32L << 20); // sparse: more than any socket buffer holds, and no disk used
        }
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // as many as there are workers
            Socket socket = new Socket();
            clients.add(socket);
            socket.setReceiveBufferSize(1024); // before connect, so the window stays small
            socket.bind(new InetSocketAddress(ATTACKER, 0));
            socket.connect(server.address(), 5000);
            socket.getOutputStream().write("GET /blob HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            stalled.add(socket);
        }
        Thread.sleep(300); // the four requests reach the workers first
        String answer = get(InetAddress.getLoopbackAddress(), "/index.json");
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), "served while four clients stopped reading: " + answer);
        // Each stalled answer is logged once the server has cut it off; reading before then would let it finish.
        List<String> cut = awaitLines("GET /blob ", 4);
        for (Socket socket : stalled) {
            String got = readUntilClosed(socket);
            assertTrue(got.length() < (32 << 20), "cut off before the whole blob: " + got.length());
        }
        for (String line : cut) {
            Matcher logged = Pattern.compile("GET /blob 200 (\\d+) cut off \\(of 33554432\\)").matcher(line);
            assertTrue(logged.matches(), "logged as cut off, with what got out: " + line);
            assertTrue(Long.parseLong(logged.group(1)) < (32 << 20), line);
        }
        assertTrue(log.contains("GET /index.json 200 13"), "a whole answer is logged with its length: " + log);
    }

    /** The access log's lines that start with {@code prefix}, once there are {@code count} of them. */
    private List<String> awaitLines(String prefix, int count) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.multipliedBy(4).toNanos();
        while (true) {
            List<String> lines = log.stream().filter(line -> line.startsWith(prefix)).toList();
            if (lines.size() >= count || System.nanoTime() > end) {
                assertEquals(count, lines.size(), log.toString());
                return lines;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void twoHundredIdleConnectionsFromOneAddressAreHarmless() throws IOException {
        for (int i = 0; i < 200; i++) {
            connect(ATTACKER);
        }
        long start = System.nanoTime();
        assertTrue(get(InetAddress.getLoopbackAddress(), "/index.json").startsWith("HTTP/1.1 200 "));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "answered promptly");
        Socket beyondItsShare = clients.get(199);
        assertEquals("", readUntilClosed(beyondItsShare), "closed at accept: one address holds at most 16");
        for (Socket idle : clients) {
            readUntilClosed(idle);
        }
        assertTrue(get(ATTACKER, "/index.json").startsWith("HTTP/1.1 200 "), "its share is given back on close");
    }

    @Test
    void aRequestHeadThatNeverEndsIsRefused() throws IOException {
        Socket client = connect(InetAddress.getLoopbackAddress());
        client.getOutputStream().write(("GET /index.json HTTP/1.1\r\nX: " + "a".repeat(RequestHead.MAX_BYTES))
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(readUntilClosed(client).startsWith("HTTP/1.1 400 "));
    }

    @Test
    void headAndErrorsAnswerAsBefore() throws IOException {
        String head = get(InetAddress.getLoopbackAddress(), "/index.json", "HEAD");
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: 13\r\n")
                && head.endsWith("\r\n\r\n"), head);
        assertTrue(get(InetAddress.getLoopbackAddress(), "/index.json", "POST").startsWith("HTTP/1.1 405 "));
        assertTrue(get(InetAddress.getLoopbackAddress(), "/%2e%2e/etc/passwd").startsWith("HTTP/1.1 404 "));
    }

    private Socket connect(InetAddress from) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(server.address(), 5000);
        return socket;
    }

    private String get(InetAddress from, String path) throws IOException {
        return get(from, path, "GET");
    }

    private String get(InetAddress from, String path, String method) throws IOException {
        Socket socket = connect(from);
        socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return readUntilClosed(socket);
    }

    /** Everything the server sends until it closes; fails when it keeps the connection past twice the deadline. */
    private static String readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout((int) DEADLINE.multipliedBy(2).toMillis());
        InputStream in = socket.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open past its deadline", e);
        } catch (java.net.SocketException e) {
            return ""; // reset while closing: closed all the same
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
