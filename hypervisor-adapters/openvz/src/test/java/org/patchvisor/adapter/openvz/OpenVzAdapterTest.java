package org.patchvisor.adapter.openvz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.io.ProcessRunner;

/** The OpenVZ/Virtuozzo adapter over documented tool output (fakes: no OpenVZ runs here) and a fake /proc. */
class OpenVzAdapterTest {
    @TempDir
    Path root;

    @Test
    void vzlistOutputIsParsedWithStatesAndHostnames() throws IOException {
        List<Guest> guests = VzlistOutput.parse("openvz",
                Files.readString(RecordedVzTools.fixture("vzlist-a-H-ctid-status-hostname.txt")));
        assertEquals(List.of("101", "102", "103", "104", "105", "106"), guests.stream().map(Guest::id).toList());
        assertEquals(List.of("ct101.example.com", "web02.example.com", "103", "mail.example.com", "build05",
                "db06.example.com"), guests.stream().map(Guest::name).toList(), "an unset hostname (-) falls back to the CT ID");
        assertEquals(List.of(Guest.State.RUNNING, Guest.State.RUNNING, Guest.State.RUNNING, Guest.State.STOPPED,
                Guest.State.STOPPED, Guest.State.PAUSED), guests.stream().map(Guest::state).toList());
    }

    @Test
    void vzlistGarbageIsAnErrorNotAnEmptyList() throws IOException {
        IOException unknown = assertThrows(IOException.class, () -> VzlistOutput.parse("openvz", "  101 exploded  a\n"));
        assertTrue(unknown.getMessage().contains("unknown status \"exploded\""), unknown.getMessage());
        assertThrows(IOException.class, () -> VzlistOutput.parse("openvz", "101\n"));
        assertEquals(List.of(), VzlistOutput.parse("openvz", "\n"));
    }

    @Test
    void prlctlJsonIsParsed() throws IOException {
        List<Guest> guests = PrlctlListOutput.parse("openvz",
                Files.readString(RecordedVzTools.fixture("prlctl-list-a-j-vmtype-ct.json")));
        assertEquals(4, guests.size());
        assertEquals("{7b1e9a3c-5d2f-4e8a-9c61-0f2a8b4d6e11}", guests.get(0).id());
        assertEquals(List.of("101", "web02", "mail", "db06"), guests.stream().map(Guest::name).toList());
        assertEquals(List.of(Guest.State.RUNNING, Guest.State.RUNNING, Guest.State.STOPPED, Guest.State.PAUSED),
                guests.stream().map(Guest::state).toList());
    }

    @Test
    void prlctlNonJsonOrMissingFieldsAreErrors() {
        assertThrows(IOException.class, () -> PrlctlListOutput.parse("openvz", "Unable to connect to Virtuozzo"));
        assertThrows(IOException.class, () -> PrlctlListOutput.parse("openvz", "{\"uuid\":\"x\"}"));
        IOException missing = assertThrows(IOException.class,
                () -> PrlctlListOutput.parse("openvz", "[{\"uuid\":\"{1}\",\"name\":\"a\"}]"));
        assertTrue(missing.getMessage().contains("\"status\""), missing.getMessage());
    }

    @Test
    void veinfoCountsRunningContainersButNotTheNode() throws IOException {
        assertEquals(Set.of("101", "102", "103"),
                VeInfo.runningContainers(Files.readString(RecordedVzTools.fixture("veinfo"))));
        assertEquals(Set.of(), VeInfo.runningContainers("         0     2   312\n"));
    }

    @Test
    void vzlistIsPreferredWhenBothToolsExist() throws IOException {
        RecordedVzTools tools = new RecordedVzTools()
                .answerFromFixture(OpenVzAdapter.VZLIST_ARGV, "vzlist-a-H-ctid-status-hostname.txt")
                .answerFromFixture(OpenVzAdapter.PRLCTL_ARGV, "prlctl-list-a-j-vmtype-ct.json");
        try (HypervisorAdapter adapter = new OpenVzProvider().open(context(tools))) {
            assertTrue(adapter.sharesHostKernel());
            assertEquals(6, adapter.guests().size());
        }
        assertEquals(List.of(OpenVzAdapter.VZLIST_ARGV), tools.ran);
    }

    @Test
    void prlctlIsUsedOnVirtuozzo7() throws IOException {
        RecordedVzTools tools = new RecordedVzTools()
                .answerFromFixture(OpenVzAdapter.PRLCTL_ARGV, "prlctl-list-a-j-vmtype-ct.json");
        try (HypervisorAdapter adapter = new OpenVzProvider().open(context(tools))) {
            assertEquals("web02", adapter.guests().get(1).name());
        }
        assertEquals(List.of(OpenVzAdapter.PRLCTL_ARGV), tools.ran);
    }

    @Test
    void withoutToolsTheKernelListNamesRunningContainers() throws IOException {
        node();
        try (OpenVzAdapter adapter = (OpenVzAdapter) new OpenVzProvider().open(context(new RecordedVzTools()))) {
            List<Guest> guests = adapter.guests();
            assertEquals(List.of("101", "102", "103"), guests.stream().map(Guest::id).toList());
            assertTrue(guests.stream().allMatch(Guest::running));
        }
    }

    @Test
    void aFailingToolIsReportedWithItsMessage() {
        RecordedVzTools tools = new RecordedVzTools().answer(OpenVzAdapter.VZLIST_ARGV,
                new ProcessRunner.Result(1, "", "Unable to open /proc/vz/veinfo: Permission denied\n"));
        IOException e = assertThrows(IOException.class, () -> new OpenVzProvider().open(context(tools)).guests());
        assertTrue(e.getMessage().contains("exit code 1: Unable to open /proc/vz/veinfo"), e.getMessage());
    }

    @Test
    void appliesOnANodeOrWithTheToolsOnly() throws IOException {
        OpenVzProvider provider = new OpenVzProvider();
        assertFalse(provider.appliesTo(context(new RecordedVzTools())), "plain host");
        Files.createDirectories(root.resolve("proc/vz"));
        assertFalse(provider.appliesTo(context(new RecordedVzTools())), "/proc/vz without /proc/bc is a container");
        node();
        assertTrue(provider.appliesTo(context(new RecordedVzTools())));
        RecordedVzTools tools = new RecordedVzTools().answer(OpenVzAdapter.VZLIST_ARGV, new ProcessRunner.Result(0, "", ""));
        assertTrue(provider.appliesTo(new AdapterContext(Path.of("/nonexistent"), List.of(), Map.of(), tools)));
    }

    @Test
    void registeredThroughServiceLoader() {
        HypervisorAdapters installed = HypervisorAdapters.installed();
        assertTrue(installed.all().stream().map(HypervisorAdapterProvider::name).anyMatch("openvz"::equals),
                "META-INF/services lists the provider");
        assertTrue(ServiceLoader.load(HypervisorAdapterProvider.class).stream()
                .anyMatch(p -> p.type() == OpenVzProvider.class));
    }

    private void node() throws IOException {
        Files.createDirectories(root.resolve("proc/vz"));
        Files.createDirectories(root.resolve("proc/bc"));
        Files.copy(RecordedVzTools.fixture("veinfo"), root.resolve("proc/vz/veinfo"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private AdapterContext context(ProcessRunner tools) {
        return new AdapterContext(root, List.of(), Map.of(), tools);
    }
}
