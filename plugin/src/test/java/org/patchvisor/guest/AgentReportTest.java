package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AgentReportTest {

    @Test
    void parsesTheResultLine() throws IOException {
        AgentReport r = AgentReport.parse("{\"result\":\"reverted\",\"reason\":\"transition did not finish\",\"ms\":5230}\n");
        assertEquals(AgentReport.Result.REVERTED, r.result());
        assertEquals("transition did not finish", r.reason());
        assertEquals(5230, r.millis());
    }

    @Test
    void takesTheLastJsonLineAndIgnoresNoise() throws IOException {
        AgentReport r = AgentReport.parse("sh: warning: something\n{\"result\":\"failed\",\"reason\":\"x\",\"ms\":1}\n"
                + "  {\"result\":\"applied\",\"reason\":\"pv_cmdline applied\",\"ms\":1800}  \nmore noise\n");
        assertEquals(AgentReport.Result.APPLIED, r.result());
        assertEquals(1800, r.millis());
    }

    @Test
    void escapedReasonsSurvive() throws IOException {
        AgentReport r = AgentReport.parse("{\"result\":\"failed\",\"reason\":\"insmod: \\\"x\\\" \\\\ y\",\"ms\":3}");
        assertEquals("insmod: \"x\" \\ y", r.reason());
    }

    @Test
    void rejectsMissingMalformedAndUnknownResults() {
        IOException none = assertThrows(IOException.class, () -> AgentReport.parse("Segmentation fault\n"));
        assertTrue(none.getMessage().contains("Segmentation fault"), none.getMessage());
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"applied\",\"reason\":\"x\""));
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"maybe\",\"reason\":\"x\",\"ms\":1}"));
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"applied\",\"reason\":\"x\"}"));
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"applied\",\"ms\":2}"));
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"applied\",\"reason\":\"x\",\"ms\":-1}"));
    }

    @Test
    void knowsExactlyTheWordsTheAgentScriptSaysItPrints() throws IOException {
        String script;
        try (InputStream in = AgentReport.class.getResourceAsStream("pv-guest-agent.sh")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // its header: "#   apply:  applied | already | ..." and "#   remove: ..."
        Set<String> words = script.lines().filter(l -> l.matches("#\\s+(apply|remove):.*"))
                .flatMap(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).split("\\|")))
                .map(String::strip).collect(Collectors.toSet());
        for (String word : words) {
            AgentReport.parse("{\"result\":\"" + word + "\",\"reason\":\"x\",\"ms\":1}");
        }
        assertEquals(words.size(), AgentReport.Result.values().length, "no word the script never prints: " + words);
        assertThrows(IOException.class, () -> AgentReport.parse("{\"result\":\"refused\",\"reason\":\"x\",\"ms\":1}"),
                "a refusal is decided on the host");
    }
}
