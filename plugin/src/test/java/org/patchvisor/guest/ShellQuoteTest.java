package org.patchvisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quoting for the remote shell, checked by a real /bin/sh splitting the quoted string back into words. */
class ShellQuoteTest {

    @Test
    void quotesEveryWord() {
        assertEquals("'insmod' '/tmp/a b.ko'", ShellQuote.join(List.of("insmod", "/tmp/a b.ko")));
        assertEquals("'it'\\''s'", ShellQuote.join(List.of("it's")));
        assertEquals("''", ShellQuote.join(List.of("")));
    }

    @Test
    void aRealShellGetsBackTheExactWords() throws Exception {
        List<String> words = List.of("printf", "%s\\n", "a b", "it's", "$HOME", "`id`", "; rm -rf /", "*", "\"q\"",
                "tab\there", "new\nline", "");
        Process sh = new ProcessBuilder("/bin/sh", "-c", ShellQuote.join(words)).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sh.waitFor());
        assertEquals(String.join("\n", words.subList(2, words.size())) + "\n", out);
    }

    @Test
    void refusesWhatCannotBeQuoted() {
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.join(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.join(List.of("a\0b")));
    }
}
