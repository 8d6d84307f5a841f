package org.patchvisor.guest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The one JSON line the per-guest agent ({@code pv-guest-agent.sh}) prints: its result word, the reason and
 * how long it took inside the guest. Anything else on stdout (a shell warning) is ignored; a missing or
 * malformed line is an {@link IOException} naming what the agent printed.
 */
public record AgentReport(Result result, String reason, long millis) {

    /**
     * The agent's result words. It has none for a refusal: whether a module may go in is decided on the host,
     * before the module is sent.
     */
    public enum Result {
        APPLIED("applied"),
        ALREADY("already"),
        REVERTED("reverted"),
        FAILED("failed"),
        REMOVED("removed"),
        ABSENT("absent");

        private final String word;

        Result(String word) {
            this.word = word;
        }

        static Result of(String word) {
            for (Result r : values()) {
                if (r.word.equals(word)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown agent result '" + word + "'");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public AgentReport {
        Objects.requireNonNull(result, "result");
        reason = GuestText.printable(Objects.requireNonNull(reason, "reason"));   // printed inside the guest
        if (millis < 0) {
            throw new IllegalArgumentException("negative agent time " + millis);
        }
    }

    @JsonCreator
    static AgentReport fromJson(@JsonProperty(value = "result", required = true) String result,
            @JsonProperty(value = "reason", required = true) String reason,
            @JsonProperty(value = "ms", required = true) long millis) {
        return new AgentReport(Result.of(result), reason, millis);
    }

    /** Finds and parses the agent's line: the last line of {@code stdout} that starts with '{'. */
    public static AgentReport parse(String stdout) throws IOException {
        List<String> lines = stdout.lines().map(String::strip).filter(l -> l.startsWith("{")).toList();
        if (lines.isEmpty()) {
            throw new IOException("the guest agent printed no result: '" + abbreviate(stdout) + "'");
        }
        String line = lines.get(lines.size() - 1);
        try {
            return JSON.readValue(line, AgentReport.class);
        } catch (JsonProcessingException e) {
            throw new IOException("the guest agent printed a malformed result '" + abbreviate(line) + "': "
                    + e.getOriginalMessage());
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text.strip().replace('\n', ' ');
        return GuestText.printable(oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...");
    }
}
