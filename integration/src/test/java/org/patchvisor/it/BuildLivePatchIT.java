package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.patchvisor.guest.GuestChannel.ExecResult;

/**
 * {@code patchvisor build} end to end on a real kernel: the Debian kernel boots under QEMU, its own
 * {@code /proc/kallsyms} entries for the replaced function serve as the symbol map (Debian's System.map is a stub),
 * the real CLI builds examples/build/proc_version against the installed headers and publishes it to a signed
 * repository, and {@code bin/patchvisor} inside the VM applies it, sees /proc/version change, and removes it.
 */
class BuildLivePatchIT {
    private static final String MARK = "patchvisor: built live patch pv_build_version active";
    private static KernelVm vm;
    private static Path work;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void boot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        work = Files.createDirectories(HostScripts.targetDir("build-it"));
        vm = KernelVm.boot(release);
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void builtPatchIsPublishedAppliedAndRemoved() throws IOException {
        String release = vm.release();
        String pristine = vm.shOk("cat /proc/version");
        // The kernel's own symbol table, for the function the manifest replaces (every symbol of that name).
        String kallsyms = vm.shOk("grep -E ' version_proc_show$' /proc/kallsyms");
        assertEquals(1, kallsyms.lines().count(), kallsyms);
        assertFalse(kallsyms.startsWith("0000000000000000"), "read as root, kallsyms shows addresses: " + kallsyms);
        Path map = work.resolve("kallsyms-excerpt");
        Files.writeString(map, kallsyms);

        Path ko = work.resolve("pv_build_version.ko");
        Path repo = work.resolve("repo");
        Path key = work.resolve("feed.key");
        HostScripts.deleteTree(repo);
        Files.deleteIfExists(key);
        TestFeed.keygen(key);
        long started = System.nanoTime();
        String built = host("build", "--source", HostScripts.projectRoot().resolve("examples/build/proc_version")
                .toString(), "--kernel", release, "--symbol-map", map.toString(), "--out", ko.toString(),
                "--repo", repo.toString(), "--key", key.toString());
        System.out.printf("patchvisor build took %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertTrue(built.contains("built " + ko + " (pv_build_version, 1 function(s)) for " + release), built);
        assertTrue(built.contains("published "), built);
        JsonNode index = new ObjectMapper().readTree(repo.resolve("index.json").toFile());
        assertTrue(index.toString().contains("version_proc_show"), index.toString());
        assertTrue(Files.isRegularFile(repo.resolve("index.json.sig")) || Files.list(repo)
                .anyMatch(p -> p.getFileName().toString().contains("sig")), "the index is signed");

        vm.writeFile("/tmp/pv_build_version.ko", Files.readAllBytes(ko));
        ExecResult apply = pv("apply", "/tmp/pv_build_version.ko");
        assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
        String patched = vm.shOk("cat /proc/version");
        assertTrue(patched.contains(MARK), patched);
        assertTrue(patched.startsWith("Linux version " + release + " "), patched);

        ExecResult remove = pv("remove", "pv_build_version");
        assertEquals(0, remove.exitCode(), remove.stdout() + remove.stderr());
        assertEquals(pristine, vm.shOk("cat /proc/version"));
        assertEquals("", vm.shOk("ls /sys/kernel/livepatch"));
    }

    @Test
    void missingFunctionIsRefusedBeforeCompiling() throws IOException {
        Path source = Files.createDirectories(work.resolve("bad-source"));
        Files.writeString(source.resolve("livepatch.json"), "{\"name\": \"pv_bad\", \"replacements\": "
                + "[{\"function\": \"no_such_function_here\", \"replacement\": \"x\"}]}");
        Files.writeString(source.resolve("x.c"), "static int x(void) { return 0; }\n");
        Path map = work.resolve("kallsyms-excerpt-2");
        Files.writeString(map, vm.shOk("grep -E ' (no_such_function_here|version_proc_show)$' /proc/kallsyms"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> host("build",
                "--source", source.toString(), "--kernel", vm.release(), "--symbol-map", map.toString(),
                "--out", work.resolve("pv_bad.ko").toString()));
        assertTrue(e.getMessage().contains("failed with exit code 17"), e.getMessage());
        assertTrue(e.getMessage().contains("function no_such_function_here is not in the target kernel's symbol map"),
                e.getMessage());
    }

    private static String host(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(HostScripts.projectRoot().resolve("bin/patchvisor").toString());
        argv.addAll(List.of(args));
        return HostScripts.run(300, argv.toArray(String[]::new));
    }

    private static ExecResult pv(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--state-dir", "/var/lib/patchvisor/build-it"));
        return vm.patchvisor(argv.toArray(String[]::new));
    }
}
