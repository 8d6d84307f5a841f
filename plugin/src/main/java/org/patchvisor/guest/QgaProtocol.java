package org.patchvisor.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * The QEMU guest agent protocol above any transport: {@code guest-exec} with argv and status polling, files
 * moved in {@link #CHUNK_BYTES} chunks (one agent message must stay far below libvirt's ~4 MiB cap), the
 * agent's error objects turned into {@link GuestAgentException}. Every operation has one deadline, shared by
 * all the commands it sends. Shared by {@link QgaSocketChannel} and the libvirt adapter's channel.
 */
public final class QgaProtocol implements GuestChannel {
    /** Files move in chunks this large: one agent message must stay well below its size cap. */
    public static final int CHUNK_BYTES = 48 * 1024;

    private static final Duration POLL_START = Duration.ofMillis(10);
    private static final Duration POLL_MAX = Duration.ofMillis(200);

    private final QgaTransport transport;
    private final Ticker ticker;
    private final ObjectMapper json = new ObjectMapper();

    /** Deadlines are measured, and exec status polls paced, on {@code ticker}. */
    public QgaProtocol(QgaTransport transport, Ticker ticker) {
        this.transport = transport;
        this.ticker = ticker;
    }

    public QgaProtocol(QgaTransport transport) {
        this(transport, Ticker.SYSTEM);
    }

    @Override
    public synchronized boolean ping(Duration timeout) {
        try {
            call("guest-ping", null, deadline(timeout));
            return true;
        } catch (IOException | GuestTimeoutException e) {
            return false;
        }
    }

    /** {@code guest-get-osinfo}: {@code kernel-release}, {@code kernel-version} and {@code machine}. */
    @Override
    public synchronized GuestOs os(Duration timeout) throws IOException, GuestTimeoutException {
        JsonNode info = call("guest-get-osinfo", null, deadline(timeout));
        String release = info.path("kernel-release").asText("");
        if (release.isEmpty()) {
            throw new IOException("guest-get-osinfo gave no kernel-release: " + info);
        }
        return new GuestOs(release, info.path("kernel-version").asText(""), info.path("machine").asText(""));
    }

    @Override
    public synchronized ExecResult exec(List<String> argv, Duration timeout) throws IOException, GuestTimeoutException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("exec needs a program to run");
        }
        Deadline deadline = deadline(timeout);
        ObjectNode args = json.createObjectNode().put("path", argv.get(0)).put("capture-output", true);
        args.putArray("arg").addAll(argv.subList(1, argv.size()).stream().map(json.getNodeFactory()::textNode)
                .toList());
        long pid = require(call("guest-exec", args, deadline), "pid", "guest-exec").asLong();
        Duration pause = POLL_START;
        while (true) {
            JsonNode status = call("guest-exec-status", json.createObjectNode().put("pid", pid), deadline);
            if (status.path("exited").asBoolean(false)) {
                return result(status);
            }
            if (!deadline.allows(pause)) {
                throw new GuestTimeoutException("guest program " + argv.get(0) + " (pid " + pid
                        + ") still running after " + timeout.toMillis() + " ms");
            }
            pause(deadline, pause);
            pause = pause.multipliedBy(2).compareTo(POLL_MAX) > 0 ? POLL_MAX : pause.multipliedBy(2);
        }
    }

    @Override
    public synchronized void writeFile(String path, byte[] content, Duration timeout)
            throws IOException, GuestTimeoutException {
        Deadline deadline = deadline(timeout);
        long handle = open(path, "w", deadline);
        boolean done = false;
        try {
            for (int offset = 0; offset < content.length; offset += CHUNK_BYTES) {
                byte[] chunk = Arrays.copyOfRange(content, offset, Math.min(content.length, offset + CHUNK_BYTES));
                ObjectNode args = json.createObjectNode().put("handle", handle)
                        .put("buf-b64", Base64.getEncoder().encodeToString(chunk));
                long count = require(call("guest-file-write", args, deadline), "count", "guest-file-write").asLong();
                if (count != chunk.length) {
                    throw new IOException("guest agent wrote " + count + " of " + chunk.length + " bytes to " + path);
                }
            }
            done = true;
        } finally {
            closeHandle(handle, deadline, done);
        }
    }

    @Override
    public synchronized byte[] readFile(String path, long maxBytes, Duration timeout)
            throws IOException, GuestTimeoutException {
        Deadline deadline = deadline(timeout);
        long handle = open(path, "r", deadline);
        boolean done = false;
        try {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            while (true) {
                ObjectNode args = json.createObjectNode().put("handle", handle).put("count", CHUNK_BYTES);
                JsonNode reply = call("guest-file-read", args, deadline);
                byte[] chunk = decode(reply.path("buf-b64"), "guest-file-read");
                if (content.size() + (long) chunk.length > maxBytes) {
                    throw new IOException(path + " in the guest is larger than " + maxBytes + " bytes");
                }
                content.write(chunk);
                if (reply.path("eof").asBoolean(false) || chunk.length == 0) {
                    done = true;
                    return content.toByteArray();
                }
            }
        } finally {
            closeHandle(handle, deadline, done);
        }
    }

    private long open(String path, String mode, Deadline deadline) throws IOException, GuestTimeoutException {
        JsonNode handle = call("guest-file-open", json.createObjectNode().put("path", path).put("mode", mode), deadline);
        if (!handle.isIntegralNumber()) {
            throw new IOException("guest agent answered guest-file-open with " + handle + " instead of a handle");
        }
        return handle.asLong();
    }

    /** Closes a guest file handle; after a failure a close error must not hide the first one. */
    private void closeHandle(long handle, Deadline deadline, boolean mustSucceed) throws IOException, GuestTimeoutException {
        try {
            call("guest-file-close", json.createObjectNode().put("handle", handle), deadline);
        } catch (IOException | GuestTimeoutException e) {
            if (mustSucceed) {
                throw e;
            }
        }
    }

    /** One command, one reply: returns the reply's {@code return} value or throws the agent's error. */
    private JsonNode call(String command, JsonNode arguments, Deadline deadline) throws IOException, GuestTimeoutException {
        if (deadline.expired()) {
            throw new GuestTimeoutException("guest agent did not answer " + command + " in time");
        }
        ObjectNode message = json.createObjectNode().put("execute", command);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        JsonNode reply = transport.send(message, deadline.remaining());
        if (reply != null && reply.has("error")) {
            JsonNode error = reply.get("error");
            throw new GuestAgentException(command, error.path("class").asText(""),
                    error.path("desc").asText(error.toString()));
        }
        if (reply == null || !reply.has("return")) {
            throw new IOException("guest agent reply to " + command + " has neither return nor error: " + reply);
        }
        return reply.get("return");
    }

    private ExecResult result(JsonNode status) throws IOException {
        int exitCode;
        if (status.has("exitcode")) {
            exitCode = status.get("exitcode").asInt();
        } else if (status.has("signal")) {
            exitCode = 128 + status.get("signal").asInt();
        } else {
            throw new IOException("guest-exec-status says exited but gives neither exitcode nor signal: " + status);
        }
        String out = new String(decode(status.path("out-data"), "guest-exec-status"), StandardCharsets.UTF_8);
        String err = new String(decode(status.path("err-data"), "guest-exec-status"), StandardCharsets.UTF_8);
        return new ExecResult(exitCode, out, err);
    }

    private static byte[] decode(JsonNode base64, String command) throws IOException {
        if (base64.isMissingNode() || base64.isNull()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64.asText());
        } catch (IllegalArgumentException e) {
            throw new IOException("guest agent sent invalid base64 in " + command + ": " + e.getMessage());
        }
    }

    private static JsonNode require(JsonNode reply, String field, String command) throws IOException {
        JsonNode value = reply.path(field);
        if (!value.isIntegralNumber()) {
            throw new IOException("guest agent reply to " + command + " lacks " + field + ": " + reply);
        }
        return value;
    }

    private Deadline deadline(Duration timeout) {
        return Deadline.after(ticker, timeout);
    }

    private static void pause(Deadline deadline, Duration pause) throws IOException {
        try {
            deadline.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a guest program", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        transport.close();
    }
}
