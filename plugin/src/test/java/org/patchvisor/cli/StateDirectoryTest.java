package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.FeedConfigException;

/** One rule for every command: option, environment, config, default. */
class StateDirectoryTest {
    private static final Path OPTION = Path.of("/from/option");
    private static final Map<String, String> ENV = Map.of("PATCHVISOR_STATE_DIR", "/from/env");
    private static final StateDirectory.Configured CONFIG = () -> Optional.of(Path.of("/from/config"));
    private static final Consumer<String> NO_SKIPS = skipped -> {
        throw new AssertionError("skipped " + skipped);
    };

    @TempDir
    Path tmp;

    @Test
    void firstMatchWinsInOrder() throws FeedConfigException {
        assertEquals(OPTION, StateDirectory.resolve(Optional.of(OPTION), ENV, CONFIG));
        assertEquals(Path.of("/from/env"), StateDirectory.resolve(Optional.empty(), ENV, CONFIG));
        assertEquals(Path.of("/from/config"), StateDirectory.resolve(Optional.empty(), Map.of(), CONFIG));
        assertEquals(Path.of("/from/config"),
                StateDirectory.resolve(Optional.empty(), Map.of("PATCHVISOR_STATE_DIR", " "), CONFIG));
        assertEquals(Path.of("/var/lib/patchvisor"), StateDirectory.resolve(Optional.empty(), Map.of(), Optional::empty));
    }

    @Test
    void theConfigIsNotReadWhenOptionOrEnvironmentDecide() throws FeedConfigException {
        StateDirectory.Configured unreadable = () -> {
            throw new FeedConfigException("must not be read");
        };
        assertEquals(OPTION, StateDirectory.resolve(Optional.of(OPTION), Map.of(), unreadable));
        assertEquals(Path.of("/from/env"), StateDirectory.resolve(Optional.empty(), ENV, unreadable));
    }

    @Test
    void aMissingConfigHasNoStateDirButAStateDirGivenMustBeValid() throws Exception {
        Path config = tmp.resolve("patchvisor.conf");
        assertEquals(Optional.empty(), StateDirectory.fromOptionalConfig(config, NO_SKIPS));
        Files.writeString(config, "# no feed here\n");
        assertEquals(Optional.empty(), StateDirectory.fromOptionalConfig(config, NO_SKIPS));
        Files.writeString(config, "state-dir = /srv/patchvisor\n");
        assertEquals(Optional.of(Path.of("/srv/patchvisor")), StateDirectory.fromOptionalConfig(config, NO_SKIPS));
        for (String bad : List.of("state-dir = relative\n", "state-dir =\n", "state-dir = /a\nstate-dir = /b\n")) {
            Files.writeString(config, "# comment\n" + bad);
            FeedConfigException e = assertThrows(FeedConfigException.class,
                    () -> StateDirectory.fromOptionalConfig(config, NO_SKIPS), bad);
            assertTrue(e.getMessage().startsWith(config + (bad.contains("/b") ? ": " : " line 2: ")), e.getMessage());
        }
    }

    @Test
    void otherMalformedLinesAreSkippedWithTheirLineNotFatal() throws Exception {
        Path config = tmp.resolve("patchvisor.conf");
        Files.writeString(config, "repostory https://feed.example\nproxy =\nrepository = not even checked\n"
                + "state-dir = /srv/patchvisor\n");
        List<String> skipped = new ArrayList<>();
        assertEquals(Optional.of(Path.of("/srv/patchvisor")), StateDirectory.fromOptionalConfig(config, skipped::add));
        assertEquals(List.of(config + " line 1: expected 'key = value', got 'repostory https://feed.example'",
                config + " line 2: 'proxy' has no value (comment the line out to use the default)"), skipped);
    }

    @Test
    void commandsWithoutAFeedReadTheHostsConfigForTheStateDir() throws Exception {
        FakeRoot host = new FakeRoot(tmp.resolve("host"), "6.1.0-18-amd64");
        Files.createDirectories(host.root.resolve("etc/patchvisor"));
        Files.writeString(host.root.resolve("etc/patchvisor/patchvisor.conf"), "state-dir = relative/one\n");
        FakeRoot.Run run = host.run("status");
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.err().contains("state-dir 'relative/one' is a relative path"), run.err());
        assertEquals(0, host.run("status", "--state-dir", tmp.resolve("given").toString()).exit(),
                "an explicit --state-dir needs no config");

        Path state = tmp.resolve("from-config");
        Files.writeString(host.root.resolve("etc/patchvisor/patchvisor.conf"), "state-dir = " + state + "\nproxy\n");
        FakeRoot.Run warned = host.run("status", "--json");
        assertEquals(0, warned.exit(), warned.err());
        assertEquals("patchvisor: warning: " + host.root.resolve("etc/patchvisor/patchvisor.conf")
                + " line 2: expected 'key = value', got 'proxy' (ignored: this command reads only state-dir)\n",
                warned.err());
    }
}
