package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.patchvisor.model.Outcome;

/** Text from a guest, or a guest's name, printed on a terminal or into a log cannot steer it or forge lines. */
class GuestTextTest {
    @Test
    void controlsSeparatorsAndBidiOverridesBecomeVisibleEscapes() {
        assertEquals("\\x1b[2J\\x1b[Hguest prod: applied", GuestText.printable("\u001b[2J\u001b[Hguest prod: applied"));
        assertEquals("vm\\x0aguest prod: applied\\x0d", GuestText.printable("vm\nguest prod: applied\r"));
        assertEquals("a\\x00b\\x09c\\x7fd\\x85e\\x9bf", GuestText.printable("a\u0000b\tc\u007fd\u0085e\u009bf"));
        assertEquals("x\\u2028y\\u2029z", GuestText.printable("x\u2028y\u2029z"));
        assertEquals("\\u202eevil\\u202c \\u2066\\u2069\\u200f\\u061c", GuestText.printable("\u202eevil\u202c \u2066\u2069\u200f\u061c"));
        assertEquals("lone \\ud800 surrogate", GuestText.printable("lone \ud800 surrogate"));
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String text = "6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 — web-01 (ünïcødé, 日本, \ud83d\ude00) C:\\x";
        assertEquals(text, GuestText.printable(text));
        assertNull(GuestText.printable(null));
        assertEquals("", GuestText.printable(""));
    }

    @Test
    void longTextIsCappedWithAnEllipsisAtAWholeCharacter() {
        String exact = "a".repeat(GuestText.MAX_CHARS);
        assertEquals(exact, GuestText.printable(exact));
        String capped = GuestText.printable("a".repeat(GuestText.MAX_CHARS + 1));
        assertEquals(GuestText.MAX_CHARS, capped.length());
        assertTrue(capped.endsWith("a…"), capped);
        String escapes = GuestText.printable("\u001b".repeat(100_000));
        assertTrue(escapes.length() <= GuestText.MAX_CHARS, escapes);
        assertTrue(escapes.matches("(\\\\x1b)+…"), "never cut inside an escape: " + escapes);
        String pairs = GuestText.printable("\ud83d\ude00".repeat(GuestText.MAX_CHARS));
        assertFalse(Character.isHighSurrogate(pairs.charAt(pairs.length() - 2)), "never cut inside a pair");
    }

    @Test
    void escapingTwiceReadsTheSameAsOnce() {
        for (String text : new String[] {"\u001b]0;title\u0007", "x".repeat(5000), "\n".repeat(300), "ok"}) {
            String once = GuestText.printable(text);
            assertEquals(once, GuestText.printable(once), text);
        }
    }

    @Test
    void theValuesMadeFromGuestWordsArePrintableWhenTheyAreMade() throws Exception {
        GuestOs os = new GuestOs("6.1.0\u001b[2J", "#1\nguest prod: applied", "x86_64\u202e");
        assertEquals("6.1.0\\x1b[2J", os.kernelRelease());
        assertEquals("#1\\x0aguest prod: applied", os.kernelVersion());
        assertEquals("x86_64\\u202e", os.machine());
        AgentReport report = AgentReport.parse("{\"result\":\"failed\",\"reason\":\"no\\u001b[31m\\nforged\",\"ms\":1}");
        assertEquals("no\\x1b[31m\\x0aforged", report.reason());
        GuestAgentException refused = new GuestAgentException("guest-exec", "Generic\r", "denied\u001b[K\nguest x: applied");
        assertEquals("guest agent refused guest-exec: denied\\x1b[K\\x0aguest x: applied (Generic\\x0d)",
                refused.getMessage());
        assertEquals("denied\\x1b[K\\x0aguest x: applied", refused.description());
        GuestOutcome outcome = GuestOutcome.of(Outcome.FAILED_REVERTED, "x\u001bc" + "y".repeat(1000), "p",
                Optional.empty(), Duration.ZERO);
        assertTrue(outcome.reason().startsWith("x\\x1bcyyy"), outcome.reason());
        assertEquals(GuestText.MAX_CHARS, outcome.reason().length());
    }
}
