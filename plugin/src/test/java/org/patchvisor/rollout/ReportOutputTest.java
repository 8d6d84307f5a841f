package org.patchvisor.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.patchvisor.model.Outcome;

class ReportOutputTest {
    private static final Report.Row APPLIED = new Report.Row("web-1", "6.1.0-18-amd64", "pv-1", Outcome.APPLIED, null, 1234);
    private static final Report.Row REVERTED = new Report.Row("web-2", "6.1.0-18-amd64", "pv-1",
            Outcome.FAILED_REVERTED, "transition stuck; reverted", 61000);
    private static final Report.Row SKIPPED = new Report.Row("db-1", null, null, Outcome.SKIPPED, "opted out by policy", 0);

    @Test
    void reportSerialisesWithLowerCaseStatesEveryTotalAndNoNulls() throws Exception {
        Report report = Report.of(false, "halted after 1 failure(s) (--max-failures 1)", 62000, List.of(APPLIED, REVERTED, SKIPPED));

        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(report));

        assertTrue(json.get("halted").asBoolean());
        assertEquals(62000, json.get("wallMs").asLong());
        assertEquals(Outcome.ROLLOUT.size(), json.get("totals").size());
        assertEquals(1, json.get("totals").get("failed-reverted").asInt());
        assertEquals(0, json.get("totals").get("already-patched").asInt());
        JsonNode first = json.get("guests").get(0);
        assertEquals("web-1", first.get("name").asText());
        assertEquals("applied", first.get("state").asText());
        assertFalse(first.has("reason"), "no null fields: " + first);
        assertEquals("skipped", json.get("guests").get(2).get("state").asText());
        assertFalse(json.get("guests").get(2).has("kernel"));
        assertEquals("3 guest(s): 1 applied, 1 failed-reverted, 1 skipped in 62000 ms; halted: halted after 1 failure(s) "
                + "(--max-failures 1)", report.summary());
    }

    @Test
    void aHostileGuestNameOrReasonCannotSteerTheTerminalOrForgeLines() throws Exception {
        String name = "evil\u001b[2J\u001b[H\nguest prod: applied\u202e";
        Report.Row row = new Report.Row(name, "6.1\r", null, Outcome.FAILED, "agent: \u001b]0;x\u0007" + "z".repeat(900), 1);
        StringWriter out = new StringWriter();
        ProgressListener progress = new ProgressListener(new PrintWriter(out), false, System::nanoTime);
        progress.guestFinished(row, 1, 1);
        String line = out.toString();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("guest evil\\x1b[2J\\x1b[H\\x0aguest prod: applied\\u202e: failed (agent: \\x1b]0;x\\x07zzz"),
                line);
        assertFalse(line.chars().anyMatch(c -> c < 0x20 && c != '\n'), line);
        assertTrue(row.reason().length() <= org.patchvisor.guest.GuestText.MAX_CHARS && row.reason().endsWith("…"));
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(row));
        assertEquals("evil\\x1b[2J\\x1b[H\\x0aguest prod: applied\\u202e", json.get("name").asText(),
                "JSON gets the same printable, capped value");
        assertEquals("6.1\\x0d", json.get("kernel").asText());
        StringWriter waves = new StringWriter();
        new ProgressListener(new PrintWriter(waves), false, System::nanoTime)
                .waveStarted(new Plan.Wave("g\u001b[2J\nwave 9/9", false, List.of()), 0, 1);
        assertEquals("wave 1/1 (g\\x1b[2J\\x0awave 9/9): 0 guest(s)\n", waves.toString(),
                "a rollout group from the guests' metadata is printable too");
    }

    @Test
    void plainProgressIsOneLinePerGuestAndPerWave() {
        StringWriter out = new StringWriter();
        ProgressListener progress = new ProgressListener(new PrintWriter(out), false, System::nanoTime);

        progress.waveStarted(new Plan.Wave("canary", true, List.of()), 0, 2);
        progress.guestFinished(APPLIED, 1, 3);
        progress.guestFinished(REVERTED, 2, 3);
        progress.halted("halted after 1 failure(s) (--max-failures 1)");

        assertEquals("wave 1/2 (canary): 0 guest(s)\n"
                + "guest web-1: applied\n"
                + "guest web-2: failed-reverted (transition stuck; reverted)\n"
                + "rollout halted after 1 failure(s) (--max-failures 1); guests not yet started will not be\n",
                out.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void terminalProgressRedrawsOneBarAtMostTenTimesASecond() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressListener progress = new ProgressListener(new PrintWriter(out), true, now::get);

        for (int done = 1; done <= 100; done++) {
            now.addAndGet(10_000_000L); // 10 ms per guest
            progress.guestFinished(APPLIED, done, 100);
        }

        String text = out.toString();
        long redraws = text.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 10 && redraws <= 12, "one redraw per 100 ms plus the last: " + redraws);
        assertTrue(text.endsWith("\r[##############################] 100/100 applied 100"), text);
        assertFalse(text.contains("\n"));
    }

    @Test
    void optionsRejectWhatCannotWork() {
        RolloutOptions ok = RolloutOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> ok.withMaxParallel(0));
        assertThrows(IllegalArgumentException.class, () -> ok.withCanary(-1));
        assertThrows(IllegalArgumentException.class, () -> ok.withMaxFailures(-1));
        assertThrows(IllegalArgumentException.class, () -> ok.withPerGuestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ok.withOnly(List.of(" ")));
    }

    @Test
    void globsMatchWholeNamesAndQuoteEverythingElse() {
        assertTrue(NamePattern.matches("web-*", "web-01"));
        assertTrue(NamePattern.matches("web-?1", "web-01"));
        assertFalse(NamePattern.matches("web-?", "web-01"));
        assertTrue(NamePattern.matches("db.prod", "db.prod"));
        assertFalse(NamePattern.matches("db.prod", "dbxprod"), "a dot is a dot");
        assertFalse(NamePattern.matches("web", "web-01"), "a plain name is an exact match");
        assertTrue(NamePattern.matches("*", "a/b"));
    }
}
