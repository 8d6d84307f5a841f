package org.patchvisor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.LivePatch;

/** LocalKernel over a sysfs/procfs tree written in the kernel's formats. */
class LocalKernelTest {
    @TempDir
    Path root;

    private void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private LocalKernel kernel() {
        return new LocalKernel(root, () -> {
            throw new AssertionError("no syscalls in these tests");
        });
    }

    @Test
    void patchesComeInLoadOrderWithTheirFunctions() throws IOException {
        // /proc/modules lists the newest first.
        write("proc/modules", "pv_version 16384 0 - Live 0x0 (OEK)\npv_cmdline 16384 0 - Live 0x0 (OEK)\next4 1 0 - Live 0x0\n");
        for (String p : List.of("pv_version", "pv_cmdline")) {
            write("sys/kernel/livepatch/" + p + "/enabled", "1\n");
            write("sys/kernel/livepatch/" + p + "/transition", "0\n");
        }
        Files.createDirectories(root.resolve("sys/kernel/livepatch/pv_cmdline/vmlinux/cmdline_proc_show,1"));
        Files.createDirectories(root.resolve("sys/kernel/livepatch/pv_version/vmlinux/version_proc_show,1"));
        List<LivePatch> patches = kernel().patches();
        assertEquals(List.of("pv_cmdline", "pv_version"), patches.stream().map(LivePatch::name).toList());
        assertEquals(Map.of("vmlinux", List.of("cmdline_proc_show,1")), patches.get(0).functionsByObject());
    }

    @Test
    void blockersAreTheTasksNotYetAtTheTarget() throws IOException {
        write("proc/12/task/12/patch_state", "0\n");
        write("proc/12/task/12/comm", "ksoftirqd/0\n");
        write("proc/40/task/40/patch_state", "1\n");
        write("proc/40/task/40/comm", "bash\n");
        write("proc/41/task/41/patch_state", "-1\n");
        write("proc/41/task/41/comm", "idle\n");
        Files.createDirectories(root.resolve("proc/self"));
        assertEquals(List.of(new Blocker(12, "ksoftirqd/0")), kernel().blockers(1));
        assertEquals(List.of(new Blocker(40, "bash")), kernel().blockers(0));
    }

    @Test
    void aPatchBeingFreedReadsAsGone() {
        assertTrue(LocalKernel.gone(new NoSuchFileException("/sys/kernel/livepatch/x/enabled")));
        assertTrue(LocalKernel.gone(new FileSystemException("/sys/kernel/livepatch/x/enabled", null, "No such device")));
        assertTrue(LocalKernel.gone(new IOException("No such device")), "read() of a removed kernfs node");
        assertFalse(LocalKernel.gone(new IOException("Permission denied")));
    }

    @Test
    void lockdownModeIsTheBracketedWord() {
        assertEquals("integrity", KernelFacts.activeLockdown("none [integrity] confidentiality"));
        assertEquals("none", KernelFacts.activeLockdown("[none] integrity confidentiality"));
    }
}
