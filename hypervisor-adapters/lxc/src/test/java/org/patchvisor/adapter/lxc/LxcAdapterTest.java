package org.patchvisor.adapter.lxc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.spi.AdapterContext;
import org.patchvisor.spi.Guest;
import org.patchvisor.spi.HypervisorAdapter;
import org.patchvisor.spi.HypervisorAdapters;
import org.patchvisor.io.ProcessRunner;

/**
 * The LXC adapter over a /proc tree written in the kernel's formats (proc(5): NSpid in status, NUL-separated
 * environ, "hierarchy:controllers:path" cgroup lines). The real kernel case is LxcContainersIT.
 */
class LxcAdapterTest {
    @TempDir
    Path root;

    @BeforeEach
    void hostProcesses() throws IOException {
        process(1, "systemd", "NSpid:\t1", "pid:[4026531836]", "HOME=/\0TERM=linux\0", "0::/init.scope\n");
        process(2, "kthreadd", "NSpid:\t2", "pid:[4026531836]", "", "0::/\n");
    }

    @Test
    void namespaceContainersAreFoundByTheirInit() throws IOException {
        process(4100, "sh", "NSpid:\t4100\t1", "pid:[4026532301]", "PATH=/bin\0", "0::/user.slice\n");
        process(4101, "sleep", "NSpid:\t4101\t7", "pid:[4026532301]", "PATH=/bin\0", "0::/user.slice\n");
        List<Guest> guests = guests();
        assertEquals(1, guests.size(), guests.toString());
        Guest only = guests.get(0);
        assertEquals("sh-4100", only.name());
        assertEquals("pid:[4026532301]", only.id());
        assertTrue(only.running());
        assertEquals("lxc", only.adapter());
    }

    @Test
    void managersNameTheirContainers() throws IOException {
        process(5200, "systemd", "NSpid:\t5200\t1", "pid:[4026532400]",
                "container=lxc-libvirt\0LIBVIRT_LXC_NAME=web1\0LIBVIRT_LXC_UUID=0b9a3c2e-7d41-4f5e-9a8b-1c2d3e4f5a6b\0",
                "0::/machine.slice/machine-lxc\\x2d5200\\x2dweb1.scope\n");
        process(5300, "init", "NSpid:\t5300\t1", "pid:[4026532500]", "container=lxc\0",
                "0::/lxc.payload.db2\n");
        process(5400, "init", "NSpid:\t5400\t1", "pid:[4026532600]", "container=lxc\0",
                "12:pids:/lxc/old3\n11:memory:/lxc/old3\n");
        ContainerInit libvirt = new ProcScanner(root).containers().get(0);
        assertEquals("libvirt-lxc", libvirt.manager());
        List<Guest> guests = guests();
        assertEquals(List.of("web1", "db2", "old3"), guests.stream().map(Guest::name).toList());
        assertEquals("0b9a3c2e-7d41-4f5e-9a8b-1c2d3e4f5a6b", guests.get(0).id());
    }

    @Test
    void definedButNotRunningContainersAreStopped() throws IOException {
        write("var/lib/lxc/db2/config", "lxc.uts.name = db2\n");
        write("var/lib/lxc/cold/config", "lxc.uts.name = cold\n");
        write("etc/libvirt/lxc/vault.xml", "<domain type='lxc'><name>vault</name></domain>\n");
        process(5300, "init", "NSpid:\t5300\t1", "pid:[4026532500]", "container=lxc\0", "0::/lxc.payload.db2\n");
        List<Guest> guests = guests();
        assertEquals(List.of("db2", "cold", "vault"), guests.stream().map(Guest::name).toList());
        assertEquals(List.of(Guest.State.RUNNING, Guest.State.STOPPED, Guest.State.STOPPED),
                guests.stream().map(Guest::state).toList());
    }

    @Test
    void aProcessWhoseStatusCannotBeReadAfterAFailedReadIsGoneAndSkipped() throws IOException {
        // What an exiting process looks like between reads: a later file fails (ESRCH in the kernel; here a
        // directory where a file should be), and status no longer reads either.
        write("proc/6100/comm", "sh\n");
        Files.createDirectories(root.resolve("proc/6100/status"));
        assertEquals(List.of(), guests());
        process(6200, "sh", "NSpid:\t6200\t1", "pid:[4026532701]", "PATH=/bin\0", "0::/user.slice\n");
        Files.delete(root.resolve("proc/6200/cgroup"));
        Files.createDirectories(root.resolve("proc/6200/cgroup"));
        // A live process (status still reads) whose file cannot be read is an error, not a vanished process.
        assertThrows(IOException.class, () -> new ProcScanner(root).containers());
    }

    @Test
    void aProcessThatExitsDuringTheScanIsSkipped() throws IOException {
        write("proc/6000/status", "Name:\tsh\nNSpid:\t6000\t1\n");
        // comm, environ, cgroup and ns are gone: the process exited between reads.
        assertEquals(List.of(), guests());
    }

    @Test
    void appliesOnlyWhereContainersExist() throws IOException {
        LxcProvider provider = new LxcProvider();
        assertFalse(provider.appliesTo(context()));
        process(4100, "sh", "NSpid:\t4100\t1", "pid:[4026532301]", "", "0::/\n");
        assertTrue(provider.appliesTo(context()));
        assertTrue(HypervisorAdapters.installed().all().stream().anyMatch(p -> p.name().equals("lxc")),
                "registered in META-INF/services");
    }

    private List<Guest> guests() throws IOException {
        try (HypervisorAdapter adapter = new LxcProvider().open(context())) {
            assertTrue(adapter.sharesHostKernel());
            return adapter.guests();
        }
    }

    private AdapterContext context() {
        ProcessRunner none = new ProcessRunner() {
            @Override
            public Result run(List<String> argv, java.time.Duration timeout) throws IOException {
                throw new IOException("the LXC adapter runs no tools");
            }

            @Override
            public boolean available(String program) {
                return false;
            }
        };
        return new AdapterContext(root, List.of(), Map.of(), none);
    }

    private void process(int pid, String comm, String nspid, String ns, String environ, String cgroup)
            throws IOException {
        write("proc/" + pid + "/status", "Name:\t" + comm + "\nState:\tS (sleeping)\nPid:\t" + pid + "\n" + nspid + "\n");
        write("proc/" + pid + "/comm", comm + "\n");
        write("proc/" + pid + "/ns/pid", ns + "\n");
        write("proc/" + pid + "/environ", environ);
        write("proc/" + pid + "/cgroup", cgroup);
    }

    private void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
