package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapterProvider;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.state.StateStore;

/** {@code patchvisor containers} over a fake kernel with in-test adapters: coverage, effective version, failures. */
class ContainersCommandTest {
    @TempDir
    Path tmp;
    FakeRoot host;
    String stateDir;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        stateDir = tmp.resolve("state").toString();
    }

    @Test
    void everyContainerIsCoveredByTheHostPatchWithTheEffectiveVersion() throws Exception {
        host.livePatch("pv_cmdline", true, false, "vmlinux", "cmdline_proc_show,1");
        recordInstalled("pv_cmdline", "6.1.0-57-amd64");
        HypervisorAdapters adapters = adapters(
                provider("openvz", true, true, List.of(ct("openvz", "101", "web1", Guest.State.RUNNING),
                        ct("openvz", "102", "mail", Guest.State.STOPPED))),
                provider("lxc", true, true, List.of(ct("lxc", "pid:[4026532301]", "sh-4100", Guest.State.RUNNING))),
                provider("libvirt", true, false, List.of(ct("libvirt", "uuid", "vm-with-own-kernel", Guest.State.RUNNING))),
                provider("absent", false, true, List.of(ct("absent", "x", "never", Guest.State.RUNNING))));

        FakeRoot.Run json = host.run(adapters, "containers", "--json", "--state-dir", stateDir);
        assertEquals(0, json.exit(), json.err());
        JsonNode view = new ObjectMapper().readTree(json.out());
        assertEquals("6.1.0-57-amd64", view.at("/host/effectiveRelease").asText());
        assertEquals("[\"pv_cmdline\"]", view.at("/host/livePatches").toString());
        assertEquals("[\"openvz\",\"lxc\"]", view.get("adapters").toString(), "only applicable shared-kernel adapters");
        assertEquals(3, view.get("containers").size());
        for (JsonNode c : view.get("containers")) {
            assertTrue(c.get("covered").asBoolean(), c.toString());
            assertEquals("6.1.0-57-amd64", c.get("effectiveRelease").asText());
            assertEquals("covered by the host's live patches", c.get("coverage").asText());
        }
        assertEquals("web1", view.at("/containers/0/name").asText());
        assertEquals("stopped", view.at("/containers/1/state").asText());

        FakeRoot.Run text = host.run(adapters, "containers", "--state-dir", stateDir);
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("host kernel: 6.1.0-56-amd64 (effective 6.1.0-57-amd64)"), text.out());
        assertTrue(text.out().matches("(?s).*web1 +openvz +running +6\\.1\\.0-57-amd64: covered by the host's live patches.*"),
                text.out());
        assertTrue(text.out().contains("2 running container(s) of 3 share this kernel"), text.out());
        assertFalse(text.out().contains("vm-with-own-kernel"), text.out());
    }

    @Test
    void withoutLivePatchesContainersAreNotCovered() throws Exception {
        HypervisorAdapters adapters = adapters(provider("lxc", true, true,
                List.of(ct("lxc", "pid:[1]", "c1", Guest.State.RUNNING))));
        JsonNode view = new ObjectMapper().readTree(host.run(adapters, "containers", "--json", "--state-dir", stateDir).out());
        assertFalse(view.at("/containers/0/covered").asBoolean());
        assertEquals("6.1.0-56-amd64", view.at("/containers/0/effectiveRelease").asText());
    }

    @Test
    void aFailingAdapterIsNamedAndTheOthersStillListed() throws Exception {
        HypervisorAdapters adapters = adapters(
                provider("lxc", true, true, List.of(ct("lxc", "pid:[1]", "c1", Guest.State.RUNNING))),
                new Provider("openvz", true, true, List.of()) {
                    @Override
                    public HypervisorAdapter open(AdapterContext context) throws IOException {
                        throw new IOException("vzlist -a -H -o ctid,status,hostname failed with exit code 1: boom");
                    }
                });
        FakeRoot.Run run = host.run(adapters, "containers", "--state-dir", stateDir);
        assertEquals(ExitCodes.ERROR, run.exit());
        assertTrue(run.out().contains("c1"), run.out());
        assertEquals("patchvisor: openvz adapter: vzlist -a -H -o ctid,status,hostname failed with exit code 1: boom\n",
                run.err());
    }

    @Test
    void noContainerHostSaysSo() {
        FakeRoot.Run run = host.run("containers", "--state-dir", stateDir);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("no shared-kernel container host here"), run.out());
    }

    @Test
    void insideAContainerItPointsAtTheHost() throws Exception {
        host.write("run/systemd/container", "lxc\n");
        FakeRoot.Run run = host.run("containers", "--state-dir", stateDir);
        assertEquals(ExitCodes.IN_CONTAINER, run.exit());
        assertEquals("patchvisor: inside an lxc container: live patches must be applied on the host (hardware node) "
                + "instead\n", run.err());
    }

    private void recordInstalled(String patch, String effectiveVersion) throws Exception {
        java.nio.file.Path module = tmp.resolve(patch + ".ko");
        java.nio.file.Files.writeString(module, "module bytes");
        org.patchvisor.model.KernelId id = new HostContext(host.root, () -> host, org.patchvisor.time.Ticker.SYSTEM,
                Map.of()).kernel().identify();
        new StateStore(Path.of(stateDir)).recordInstalled(id, new org.patchvisor.state.InstalledPatch(patch, patch,
                org.patchvisor.io.Sha256.of(module), 12, java.time.Instant.parse("2026-01-01T00:00:00Z"), "test",
                List.of(), true, effectiveVersion, null), module);
    }

    private static Guest ct(String adapter, String id, String name, Guest.State state) {
        return new Guest(adapter, id, name, state, Map.of());
    }

    private static HypervisorAdapters adapters(HypervisorAdapterProvider... providers) {
        return new HypervisorAdapters(() -> List.of(providers));
    }

    private static Provider provider(String name, boolean applies, boolean shared, List<Guest> guests) {
        return new Provider(name, applies, shared, guests);
    }

    /** An adapter family defined by the test: whether it applies, shares the kernel, and what it lists. */
    static class Provider implements HypervisorAdapterProvider {
        final String name;
        final boolean applies;
        final boolean shared;
        final List<Guest> guests;

        Provider(String name, boolean applies, boolean shared, List<Guest> guests) {
            this.name = name;
            this.applies = applies;
            this.shared = shared;
            this.guests = guests;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return name + " (test)";
        }

        @Override
        public boolean appliesTo(AdapterContext context) {
            return applies;
        }

        @Override
        public HypervisorAdapter open(AdapterContext context) throws IOException {
            return new HypervisorAdapter() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public boolean sharesHostKernel() {
                    return shared;
                }

                @Override
                public List<Guest> guests() {
                    return guests;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
