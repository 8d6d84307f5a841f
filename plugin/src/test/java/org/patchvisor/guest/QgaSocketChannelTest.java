package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patchvisor.time.FakeTicker;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;

class QgaSocketChannelTest {
    private static final Duration SHORT = Duration.ofSeconds(5);

    private Path dir;
    private Path socket;
    private FakeAgent agent;

    @BeforeEach
    void setUp() throws IOException {
        // UNIX socket paths are limited to ~108 bytes: keep the directory short.
        dir = Files.createTempDirectory(Path.of("/tmp"), "qga");
        socket = dir.resolve("s");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (agent != null) {
            agent.close();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }

    private QgaSocketChannel start(Function<JsonNode, String> script) throws IOException {
        agent = new FakeAgent(socket, script);
        return QgaSocketChannel.connect(socket);
    }

    @Test
    void pingSynchronisesFirstAndSkipsStaleReplies() throws Exception {
        try (QgaSocketChannel channel = start(c -> "{\"return\": {}}\n")) {
            // Had these been taken as answers, the first ping would fail.
            agent.staleBeforeSync = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"stale\"}}\n"
                    + "{\"return\": 12345}\n";
            assertTrue(channel.ping(SHORT));
            assertTrue(channel.ping(SHORT));
            assertEquals(List.of("guest-sync-delimited", "guest-ping", "guest-ping"), agent.commands());
        }
    }

    @Test
    void execSendsArgvAndPollsUntilExited() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        try (QgaSocketChannel channel = start(c -> switch (c.path("execute").asText()) {
            case "guest-exec" -> "{\"return\": {\"pid\": 42}}\n";
            case "guest-exec-status" -> polls.incrementAndGet() < 3
                    ? "{\"return\": {\"exited\": false}}\n"
                    : "{\"return\": {\"exited\": true, \"exitcode\": 3, \"out-data\": \""
                            + b64("hello\n") + "\", \"err-data\": \"" + b64("oops") + "\"}}\n";
            default -> "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}}\n";
        })) {
            ExecResult result = channel.exec(List.of("/bin/echo", "a b", "c"), SHORT);
            assertEquals(new ExecResult(3, "hello\n", "oops"), result);
            JsonNode exec = agent.received.get(1);
            assertEquals("/bin/echo", exec.path("arguments").path("path").asText());
            assertEquals("[\"a b\",\"c\"]", exec.path("arguments").path("arg").toString());
            assertTrue(exec.path("arguments").path("capture-output").asBoolean());
            assertEquals(42, agent.received.get(2).path("arguments").path("pid").asInt());
            assertEquals(3, polls.get());
        }
    }

    @Test
    void execKilledBySignalReportsShellStyleExitCode() throws Exception {
        try (QgaSocketChannel channel = start(c -> c.path("execute").asText().equals("guest-exec")
                ? "{\"return\": {\"pid\": 1}}\n"
                : "{\"return\": {\"exited\": true, \"signal\": 9}}\n")) {
            assertEquals(137, channel.exec(List.of("/bin/sleep", "100"), SHORT).exitCode());
        }
    }

    @Test
    void agentErrorBecomesGuestAgentExceptionWithItsDescription() throws Exception {
        try (QgaSocketChannel channel = start(c -> "{\"error\": {\"class\": \"GenericError\", "
                + "\"desc\": \"Guest agent command failed, error was 'Failed to execute child process'\"}}\n")) {
            GuestAgentException e = assertThrows(GuestAgentException.class,
                    () -> channel.exec(List.of("/nonexistent"), SHORT));
            assertEquals("Guest agent command failed, error was 'Failed to execute child process'", e.description());
            assertEquals("guest-exec", e.command());
            assertTrue(e.getMessage().contains("Failed to execute child process"), e.getMessage());
        }
    }

    @Test
    void malformedReplyIsAnIOExceptionAndTheNextCallResynchronises() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        try (QgaSocketChannel channel = start(c -> pings.incrementAndGet() == 1 ? "{\"return\": {oops\n" : "{\"return\": {}}\n")) {
            IOException e = assertThrows(IOException.class,
                    () -> channel.exec(List.of("/bin/true"), SHORT));
            assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
            assertTrue(channel.ping(SHORT));
            assertEquals(List.of("guest-sync-delimited", "guest-exec", "guest-sync-delimited", "guest-ping"),
                    agent.commands());
        }
    }

    @Test
    void replyWithoutReturnOrErrorIsRejected() throws Exception {
        try (QgaSocketChannel channel = start(c -> "{\"something\": 1}\n")) {
            IOException e = assertThrows(IOException.class, () -> channel.readFile("/x", 10, SHORT));
            assertTrue(e.getMessage().contains("neither return nor error"), e.getMessage());
        }
    }

    @Test
    void silentAgentTimesOutWithinTheBound() throws Exception {
        try (QgaSocketChannel channel = start(c -> null)) {
            agent.answerSync = false;
            long start = System.nanoTime();
            assertFalse(channel.ping(Duration.ofMillis(300)));
            assertThrows(GuestTimeoutException.class, () -> channel.exec(List.of("/bin/true"), Duration.ofMillis(300)));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 550 && elapsedMs < 3000, "took " + elapsedMs + " ms");
        }
    }

    @Test
    void aSilentAgentTimesOutOnTheInjectedTickerWithoutWaitingForReal() throws Exception {
        agent = new FakeAgent(socket, c -> null);
        agent.answerSync = false;
        FakeTicker ticker = new FakeTicker();
        QgaSocketChannel channel = QgaSocketChannel.connect(socket, ticker);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertFalse(channel.ping(Duration.ofSeconds(10)));
                assertThrows(GuestTimeoutException.class, () -> channel.exec(List.of("/bin/true"), Duration.ofSeconds(10)));
            }, "the wait for a silent agent must end when the ticker says so");
            assertEquals(Duration.ofSeconds(20).toNanos(), ticker.now, "each call waited its whole timeout on the ticker");
        } finally {
            agent.close(); // the agent hangs up: ends a wait the ticker could not end, so a failure does not hang
            channel.close();
        }
    }

    @Test
    void programStillRunningAtTheDeadlineTimesOut() throws Exception {
        try (QgaSocketChannel channel = start(c -> c.path("execute").asText().equals("guest-exec")
                ? "{\"return\": {\"pid\": 5}}\n"
                : "{\"return\": {\"exited\": false}}\n")) {
            GuestTimeoutException e = assertThrows(GuestTimeoutException.class,
                    () -> channel.exec(List.of("/bin/sleep", "1000"), Duration.ofMillis(400)));
            assertTrue(e.getMessage().contains("pid 5"), e.getMessage());
        }
    }

    @Test
    void theExecDeadlinePassesOnTheInjectedTickerNotTheWallClock() throws Exception {
        agent = new FakeAgent(socket, c -> c.path("execute").asText().equals("guest-exec")
                ? "{\"return\": {\"pid\": 7}}\n"
                : "{\"return\": {\"exited\": false}}\n");
        FakeTicker ticker = new FakeTicker();
        try (QgaSocketChannel channel = QgaSocketChannel.connect(socket, ticker)) {
            long start = System.nanoTime();
            GuestTimeoutException e = assertThrows(GuestTimeoutException.class,
                    () -> channel.exec(List.of("/bin/sleep", "1000"), Duration.ofMinutes(1)));
            assertTrue(e.getMessage().contains("pid 7") && e.getMessage().contains("60000 ms"), e.getMessage());
            // Polls back off to 200 ms and stop when the next pause would not fit: a minute passed, on the ticker.
            assertTrue(ticker.now > Duration.ofSeconds(59).toNanos() && ticker.now <= Duration.ofMinutes(1).toNanos(),
                    "ticker at " + ticker.now);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "the minute was slept for real");
        }
    }

    @Test
    void largeFileIsWrittenInChunksAndReadBack() throws Exception {
        GuestFiles files = new GuestFiles();
        byte[] content = new byte[200_000];
        new Random(1).nextBytes(content);
        try (QgaSocketChannel channel = start(files::handle)) {
            channel.writeFile("/tmp/module.ko", content, SHORT);
            assertArrayEquals(content, files.content.get("/tmp/module.ko").toByteArray());
            assertEquals(5, files.writes.size());
            assertTrue(files.writes.stream().allMatch(n -> n <= QgaSocketChannel.CHUNK_BYTES), files.writes::toString);
            assertEquals(List.of(), files.openHandles());

            assertArrayEquals(content, channel.readFile("/tmp/module.ko", 200_000, SHORT));
            IOException tooBig = assertThrows(IOException.class, () -> channel.readFile("/tmp/module.ko", 199_999, SHORT));
            assertTrue(tooBig.getMessage().contains("larger than 199999"), tooBig.getMessage());
            assertEquals(List.of(), files.openHandles());
        }
    }

    @Test
    void missingFileReportsTheAgentsReason() throws Exception {
        try (QgaSocketChannel channel = start(new GuestFiles()::handle)) {
            GuestAgentException e = assertThrows(GuestAgentException.class,
                    () -> channel.readFile("/nope", 100, SHORT));
            assertTrue(e.getMessage().contains("No such file"), e.getMessage());
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The guest-file-* commands over an in-memory file table. */
    private static final class GuestFiles {
        final Map<String, ByteArrayOutputStream> content = new HashMap<>();
        final Map<Long, String> handles = new HashMap<>();
        final Map<Long, Integer> readOffsets = new HashMap<>();
        final List<Integer> writes = new ArrayList<>();
        long nextHandle = 1000;

        synchronized String handle(JsonNode c) {
            JsonNode a = c.path("arguments");
            switch (c.path("execute").asText()) {
                case "guest-file-open": {
                    String path = a.path("path").asText();
                    if (a.path("mode").asText().equals("w")) {
                        content.put(path, new ByteArrayOutputStream());
                    } else if (!content.containsKey(path)) {
                        return "{\"error\": {\"class\": \"GenericError\", \"desc\": \"failed to open file '"
                                + path + "' (mode: 'r'): No such file or directory\"}}\n";
                    }
                    handles.put(++nextHandle, path);
                    readOffsets.put(nextHandle, 0);
                    return "{\"return\": " + nextHandle + "}\n";
                }
                case "guest-file-write": {
                    byte[] data = Base64.getDecoder().decode(a.path("buf-b64").asText());
                    writes.add(data.length);
                    content.get(handles.get(a.path("handle").asLong())).writeBytes(data);
                    return "{\"return\": {\"count\": " + data.length + ", \"eof\": false}}\n";
                }
                case "guest-file-read": {
                    long h = a.path("handle").asLong();
                    byte[] all = content.get(handles.get(h)).toByteArray();
                    int from = readOffsets.get(h);
                    int to = Math.min(all.length, from + a.path("count").asInt());
                    readOffsets.put(h, to);
                    byte[] chunk = java.util.Arrays.copyOfRange(all, from, to);
                    return "{\"return\": {\"count\": " + chunk.length + ", \"buf-b64\": \""
                            + Base64.getEncoder().encodeToString(chunk) + "\", \"eof\": " + (to == all.length) + "}}\n";
                }
                case "guest-file-close":
                    handles.remove(a.path("handle").asLong());
                    return "{\"return\": {}}\n";
                default:
                    return "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"unknown\"}}\n";
            }
        }

        synchronized List<Long> openHandles() {
            return List.copyOf(handles.keySet());
        }
    }
}
