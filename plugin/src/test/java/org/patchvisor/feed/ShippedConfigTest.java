package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.patchvisor.publish.SigningKey;

/**
 * The default config shipped in integration/config parses, documents every key {@link FeedConfig} reads, and
 * becomes a working config once the publisher's key is filled in (until then it is refused, not trusted).
 */
class ShippedConfigTest {
    static final Path SHIPPED = Path.of("../integration/config/patchvisor.conf");
    static final List<String> KEYS = FeedConfig.KEYS;

    @Test
    void documentsEveryKey() throws IOException {
        String text = Files.readString(SHIPPED);
        for (String key : KEYS) {
            assertTrue(Pattern.compile("(?m)^#? ?" + Pattern.quote(key) + " \\(").matcher(text).find(),
                    key + " has no description");
            assertTrue(Pattern.compile("(?m)^#?" + Pattern.quote(key) + " = ").matcher(text).find(),
                    key + " has no example line");
        }
    }

    @Test
    void refusedUntilTheKeyIsFilledInThenValid() throws IOException {
        FeedConfigException placeholder = assertThrows(FeedConfigException.class,
                () -> FeedConfig.from(ConfigFile.read(SHIPPED)));
        assertTrue(placeholder.getMessage().contains(SHIPPED.toString()), placeholder.getMessage());

        String key = Ed25519Keys.base64(SigningKey.generate().publicKey());
        List<String> lines = Files.readAllLines(SHIPPED).stream()
                .map(line -> line.startsWith("trusted-key = ") ? "trusted-key = " + key : line)
                .map(line -> line.matches("#(proxy|check-interval|state-dir|fetch-timeout) = .*") ? line.substring(1) : line)
                .toList();
        FeedConfig config = FeedConfig.from(ConfigFile.parse(SHIPPED, lines));
        assertEquals(List.of("https://patches.example.com/patchvisor/"), config.repositories());
        assertEquals(List.of(key), config.trustedKeys());
        assertEquals(FeedConfig.DEFAULT_CHECK_INTERVAL, config.checkInterval());
        assertEquals(FeedConfig.DEFAULT_STATE_DIR, config.stateDir());
        assertTrue(config.proxy().isPresent());
        assertEquals(java.util.Optional.of(FetchLimits.DEFAULT_FETCH_TIMEOUT), config.fetchTimeout());
        List<String> known = java.util.stream.Stream.concat(FeedConfig.KEYS.stream(), java.util.stream.Stream.of("metrics-file"))
                .toList();
        assertEquals(List.of(), ConfigFile.parse(SHIPPED, lines).unknownKeys(known), "the shipped file warns about nothing");
    }
}
