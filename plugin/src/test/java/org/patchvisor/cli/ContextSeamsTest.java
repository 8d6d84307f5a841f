package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.CanonicalJson;
import org.patchvisor.feed.FeedIndex;
import org.patchvisor.io.SystemProcessRunner;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.time.Ticker;
import picocli.CommandLine;

/** The commands take the wall clock from the context they run in, not from the machine. */
class ContextSeamsTest {
    private static final Instant LONG_AGO = Instant.parse("2001-02-03T04:05:06Z");

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();

    private int run(HostContext context, String... args) {
        CommandLine cmd = PatchvisorCli.commandLine(context, new HypervisorAdapters(List::of), new SystemProcessRunner(""));
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void repoSignDatesTheIndexByTheContextsClock() throws Exception {
        HostContext context = new HostContext(tmp, () -> null, Ticker.SYSTEM, Map.of(),
                Clock.fixed(LONG_AGO, ZoneOffset.UTC), new SystemProcessRunner(""));
        Path key = tmp.resolve("feed.key");
        Path repo = tmp.resolve("repo");
        assertEquals(0, run(context, "repo", "keygen", "--out", key.toString()), err.toString());
        assertEquals(0, run(context, "repo", "init", repo.toString()), err.toString());
        assertEquals(0, run(context, "repo", "sign", repo.toString(), "--key", key.toString(), "--expires", "2d"),
                err.toString());
        FeedIndex index = CanonicalJson.read(Files.readAllBytes(repo.resolve("index.json")), FeedIndex.class, "index");
        assertEquals(LONG_AGO.plus(Duration.ofDays(2)), Instant.parse(index.expires()));
    }
}
