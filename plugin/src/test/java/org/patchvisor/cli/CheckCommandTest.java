package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.feed.HostKernel;
import org.patchvisor.publish.BundleSpec;
import org.patchvisor.publish.PublisherRepository;
import org.patchvisor.publish.SigningKey;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.ModuleInfo;
import picocli.CommandLine;

/** {@code check} exit codes 0/1/2/3 against a published directory repository and a fake host kernel. */
class CheckCommandTest {
    static final Instant NOW = Instant.parse("2025-03-01T00:00:00Z");
    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final List<String> installed = new ArrayList<>();
    KernelId kernel = new KernelId("6.1.0-56-amd64", "#1 SMP", "x86_64", Optional.of("ab".repeat(20)));
    Path config;

    @BeforeEach
    void publish() throws IOException {
        Path repo = tmp.resolve("repo");
        PublisherRepository publisher = new PublisherRepository(repo, module -> new ModuleInfo(
                module.getFileName().toString().replace(".ko", ""), "6.1.0-56-amd64 SMP", true, Optional.empty(),
                Optional.empty(), List.of(), false), Clock.fixed(NOW, ZoneOffset.UTC));
        publisher.init();
        Path module = tmp.resolve("lp_one.ko");
        Files.write(module, new byte[] {1, 2, 3});
        publisher.add(module, new BundleSpec(List.of(), List.of("CVE-2024-1086"), Optional.empty(), Optional.empty(),
                List.of(), 1, List.of()));
        SigningKey key = SigningKey.generate();
        publisher.sign(key, Duration.ofDays(3));
        config = tmp.resolve("patchvisor.conf");
        Files.writeString(config, "repository = " + repo + "\ntrusted-key = " + Ed25519Keys.base64(key.publicKey())
                + "\nstate-dir = " + tmp.resolve("state") + "\ncheck-interval = 4h\n");
    }

    private int check(Instant now, String... args) {
        HostKernel host = new HostKernel() {
            @Override
            public KernelId kernel() {
                return kernel;
            }

            @Override
            public List<String> installedPatches() {
                return installed;
            }
        };
        CommandLine line = new CommandLine(new CheckCommand(host, Map.of(), Clock.fixed(now, ZoneOffset.UTC),
                FetchLimits.defaults()));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        return line.execute(all.toArray(String[]::new));
    }

    @Test
    void updateAvailableThenUpToDate() throws IOException {
        assertEquals(CheckCommand.UPDATES_AVAILABLE, check(NOW));
        assertTrue(out.toString().contains("lp_one-") && out.toString().contains("CVE-2024-1086"), out.toString());
        installed.add("lp_one");
        out.getBuffer().setLength(0);
        assertEquals(CheckCommand.UP_TO_DATE, check(NOW, "--json"));
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals("up-to-date", json.get("status").asText());
        assertEquals("lp_one", json.get("installed").get(0).asText());
    }

    @Test
    void jsonIsTheIndentedFormOfEveryOtherCommand() throws IOException {
        assertEquals(CheckCommand.UPDATES_AVAILABLE, check(NOW, "--json"));
        StringWriter same = new StringWriter();
        Json.print(new PrintWriter(same), new ObjectMapper().readTree(out.toString()));
        assertEquals(same.toString(), out.toString());
        assertTrue(out.toString().startsWith("{" + System.lineSeparator() + "  \"kernel\" : {"), out.toString());
    }

    @Test
    void otherKernelIsUnsupported() {
        kernel = new KernelId("6.1.0-56-cloud-amd64", "#1 SMP", "x86_64", Optional.empty());
        assertEquals(CheckCommand.UNSUPPORTED_KERNEL, check(NOW));
        assertTrue(out.toString().contains("not supported"), out.toString());
    }

    @Test
    void verificationFailureAndBadConfigAreErrors() throws IOException {
        assertEquals(CheckCommand.FAILED, check(NOW.plus(Duration.ofDays(4))));
        assertTrue(err.toString().contains("expired"), err.toString());
        assertEquals(1, err.toString().lines().count(), "one line");
        Files.writeString(config, "repository = /nowhere\n");
        assertEquals(CheckCommand.FAILED, check(NOW, "--json"));
        assertTrue(out.toString().contains("\"status\" : \"error\"") && out.toString().contains("trusted-key"), out.toString());
    }

    @Test
    void misspeltKeyIsWarnedAboutAndTheCheckStillRuns() throws IOException {
        Files.writeString(config, Files.readString(config) + "# tuning\nfetch-timout = 2m\n", java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(CheckCommand.UPDATES_AVAILABLE, check(NOW));
        assertEquals("patchvisor: warning: " + config + " line 6: unknown key 'fetch-timout' is ignored",
                err.toString().strip());
    }

    @Test
    void emptyStateDirIsABadConfigNotTheCurrentDirectory() throws IOException {
        Files.writeString(config, Files.readString(config).replaceAll("state-dir = .*", "state-dir ="));
        assertEquals(CheckCommand.FAILED, check(NOW));
        assertTrue(err.toString().contains("line 3: 'state-dir' has no value"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }
}
