package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.FeedConfigException;

/** One rule for every command: option, environment, config, default. */
class StateDirectoryTest {
    private static final Path OPTION = Path.of("/from/option");
    private static final Map<String, String> ENV = Map.of("PATCHVISOR_STATE_DIR", "/from/env");
    private static final StateDirectory.Configured CONFIG = () -> Optional.of(Path.of("/from/config"));

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
    void aMissingConfigHasNoStateDirButAnExistingOneMustBeValid() throws Exception {
        Path config = tmp.resolve("patchvisor.conf");
        assertEquals(Optional.empty(), StateDirectory.fromOptionalConfig(config));
        Files.writeString(config, "# no feed here\n");
        assertEquals(Optional.empty(), StateDirectory.fromOptionalConfig(config));
        Files.writeString(config, "state-dir = /srv/patchvisor\n");
        assertEquals(Optional.of(Path.of("/srv/patchvisor")), StateDirectory.fromOptionalConfig(config));
        Files.writeString(config, "state-dir = relative\n");
        FeedConfigException e = assertThrows(FeedConfigException.class, () -> StateDirectory.fromOptionalConfig(config));
        assertTrue(e.getMessage().contains("relative path"), e.getMessage());
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
    }
}
