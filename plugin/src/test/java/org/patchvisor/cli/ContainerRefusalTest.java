package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.patchvisor.detect.Fixtures;

/**
 * Inside a container every command that changes the kernel refuses before it reads a module, takes the lock or
 * writes state, with exit code 10; status still answers. The container evidence is the detector's fixture trees
 * laid over a fake kernel root.
 */
class ContainerRefusalTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "lxc-run-systemd, inside an lxc container",
            "lxc-environ, inside an lxc container",
            "openvz-container, inside an openvz container",
            "docker, inside a docker container",
            "podman, inside a podman container",
            "nspawn, inside a systemd-nspawn container"})
    void everyKernelChangingCommandRefuses(String fixture, String expected) throws Exception {
        FakeRoot root = containerRoot(fixture);
        Path state = tmp.resolve("state");
        String module = HostCommandsTest.SAMPLE.toAbsolutePath().toString();
        String[][] commands = {
                {"apply", module, "--state-dir", state.toString()},
                {"remove", "pv_cmdline", "--state-dir", state.toString()},
                {"remove", "--all", "--state-dir", state.toString()},
                {"load", "--all", "--state-dir", state.toString()}};
        for (String[] command : commands) {
            FakeRoot.Run run = root.run(command);
            assertEquals(ExitCodes.IN_CONTAINER, run.exit(), command[0] + ": " + run.err());
            assertEquals("patchvisor: " + expected
                    + ": live patches must be applied on the host (hardware node) instead\n", run.err(), command[0]);
            assertEquals("", run.out());
        }
        assertEquals("", root.syscalls.toString(), "no module syscall");
        assertFalse(Files.exists(state), "no state written, no lock taken");
    }

    @Test
    void aBrokenConfigDoesNotHideTheRefusal() throws Exception {
        FakeRoot root = containerRoot("lxc-run-systemd");
        root.write("etc/patchvisor/patchvisor.conf", "state-dir = relative\nnot a setting\n");
        String config = root.root.resolve("etc/patchvisor/patchvisor.conf").toString();
        String refusal = "inside an lxc container: live patches must be applied on the host (hardware node) instead\n";
        String[][] commands = {
                {"load", "--all"},
                {"apply", HostCommandsTest.SAMPLE.toAbsolutePath().toString()},
                {"remove", "--all"},
                {"upgrade", "--config", config},
                {"upgrade", "--dry-run", "--config", config}};
        StringBuilder expected = new StringBuilder();
        StringBuilder ended = new StringBuilder();
        for (String[] command : commands) {
            FakeRoot.Run run = root.run(command);
            expected.append(command[0]).append(" -> ").append(ExitCodes.IN_CONTAINER).append(": patchvisor")
                    .append(command[0].equals("upgrade") ? " upgrade: " : ": ").append(refusal);
            ended.append(command[0]).append(" -> ").append(run.exit()).append(": ").append(run.err());
        }
        assertEquals(expected.toString(), ended.toString());
        assertEquals("", root.syscalls.toString(), "no module syscall");
    }

    @Test
    void statusStillReportsAndSaysWhy() throws Exception {
        FakeRoot root = containerRoot("lxc-run-systemd");
        FakeRoot.Run run = root.run("status", "--state-dir", tmp.resolve("state").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("6.1.0-56-amd64"), run.out());
        assertTrue(run.out().contains("container:  inside an lxc container: live patches must be applied on the host"),
                run.out());

        FakeRoot.Run json = root.run("status", "--json", "--state-dir", tmp.resolve("state").toString());
        assertEquals(0, json.exit(), json.err());
        JsonNode view = new ObjectMapper().readTree(json.out());
        assertTrue(view.get("insideContainer").asBoolean());
        assertTrue(view.get("refusal").asText().startsWith("inside an lxc container"), json.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bare-metal", "openvz-node", "docker-leftover", "kvm-host"})
    void hostsAreNotRefused(String fixture) throws Exception {
        FakeRoot root = containerRoot(fixture);
        FakeRoot.Run run = root.run("apply", HostCommandsTest.SAMPLE.toAbsolutePath().toString(),
                "--state-dir", tmp.resolve("state").toString());
        assertNotEquals(ExitCodes.IN_CONTAINER, run.exit(), run.err());
        assertFalse(run.err().contains("container"), run.err());

        FakeRoot.Run status = root.run("status", "--json", "--state-dir", tmp.resolve("state").toString());
        assertFalse(new ObjectMapper().readTree(status.out()).get("insideContainer").asBoolean(), status.out());
    }

    @Test
    void statusOnAnOpenVzNodeSaysOnePatchCoversEveryContainer() throws Exception {
        FakeRoot root = containerRoot("openvz-node");
        FakeRoot.Run run = root.run("status", "--state-dir", tmp.resolve("state").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("containers: patch this kernel once; 3 containers share it"), run.out());
        JsonNode json = new ObjectMapper().readTree(root.run("status", "--json", "--state-dir",
                tmp.resolve("state").toString()).out());
        assertTrue(json.get("sharedKernelHost").asBoolean());
        assertFalse(json.get("insideContainer").asBoolean());
    }

    /** A fake kernel root with one detector fixture copied over it: the kernel files plus a machine's evidence. */
    private FakeRoot containerRoot(String fixture) throws IOException {
        FakeRoot root = new FakeRoot(tmp.resolve("root"), "6.1.0-56-amd64");
        Path from = Fixtures.root(fixture);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = from.relativize(file).toString();
                if (relative.startsWith("proc/sys/kernel/") || relative.startsWith("sys/kernel/livepatch/")) {
                    continue; // the fake kernel's own identity and patches stay
                }
                Path target = root.root.resolve(relative);
                Files.createDirectories(target.getParent());
                Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return root;
    }
}
