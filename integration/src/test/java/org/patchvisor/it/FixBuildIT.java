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
 * {@code build --fix} for real: each of the project's example fixes is turned into a live patch from the fix alone
 * in Debian's own 6.1 kernel source, applied by {@code patchvisor apply} inside the real Debian kernel under QEMU,
 * its fixed behaviour observed from user space, and removed with the original behaviour back. The symbol map is
 * the VM's own {@code /proc/kallsyms}, read as root while the 9p modules the VM's root runs on are loaded. The
 * prepared source tree is the one {@link CheckFixIT} prepared (it runs first), so the lane prepares it once.
 */
class FixBuildIT {
    private static final Path EXAMPLES = HostScripts.projectRoot().resolve("examples/build");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KernelVm vm;
    private static Path work;
    private static Path cache;
    private static Path kallsyms;

    @RegisterExtension
    final SerialTailOnFailure serialTail = new SerialTailOnFailure(() -> vm);

    @BeforeAll
    static void boot() throws IOException {
        Components components = Components.onThisMachine();
        String release = components.defaultRelease();
        components.requireVmLane(release);
        components.requireKernelSource();
        work = Files.createDirectories(HostScripts.targetDir("fix-build-it"));
        cache = HostScripts.targetDir("check-fix-it").resolve("source-cache");
        vm = KernelVm.boot(release, KernelVm.Options.defaults());
        kallsyms = work.resolve("kallsyms");
        Files.writeString(kallsyms, vm.shOk("cat /proc/kallsyms"));
    }

    @AfterAll
    static void shutDown() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void oneFunctionFixInAProcHandler() throws Exception {
        String pristine = vm.shOk("cat /proc/version");
        JsonNode built = buildJson("proc_version_banner", "pv_fix_banner");
        JsonNode unit = only(built.get("objects"));
        assertEquals("fs/proc/version.o", unit.get("unit").asText());
        assertEquals("vmlinux", unit.get("object").asText());
        assertEquals("version_proc_show", only(unit.get("replaced")).get("function").asText());
        assertEquals(0, unit.get("new").size(), unit.toString());
        String expected = "Linux version " + vm.release() + " " + vm.shOk("uname -v");
        appliedThenRemoved("pv_fix_banner", () -> assertEquals(expected, vm.shOk("cat /proc/version")));
        assertEquals(pristine, vm.shOk("cat /proc/version"));
    }

    @Test
    void changeInAStaticInlineHelperReplacesTheCallerItWasInlinedInto() throws Exception {
        JsonNode built = buildJson("fix_status_involuntary", "pv_fix_status");
        JsonNode unit = only(built.get("objects"));
        List<String> replaced = names(unit.get("replaced"));
        assertTrue(replaced.contains("proc_pid_status"), replaced.toString());
        assertTrue(vm.shOk("cat /proc/self/status").contains("\nnonvoluntary_ctxt_switches:"));
        appliedThenRemoved("pv_fix_status", () -> {
            String status = vm.shOk("cat /proc/self/status");
            assertTrue(status.contains("\ninvoluntary_ctxt_switches:") && !status.contains("nonvoluntary"), status);
        });
        assertTrue(vm.shOk("cat /proc/self/status").contains("\nnonvoluntary_ctxt_switches:"));
    }

    @Test
    void fixThatAddsAStaticHelperCarriesIt() throws Exception {
        JsonNode unit = only(buildJson("fix_version_helper", "pv_fix_helper").get("objects"));
        assertEquals(List.of("version_proc_show"), names(unit.get("replaced")));
        assertEquals("version_proc_short", only(unit.get("new")).asText());
        appliedThenRemoved("pv_fix_helper", () -> assertTrue(vm.shOk("cat /proc/version").strip().endsWith(" (short)"),
                vm.shOk("cat /proc/version")));
        assertFalse(vm.shOk("cat /proc/version").strip().endsWith(" (short)"));
    }

    @Test
    void fixThatAddsAWarnOnceWarnsOnce() throws Exception {
        buildJson("fix_version_warn_once", "pv_fix_warn");
        String message = "read /proc/version, which names the build toolchain";
        appliedThenRemoved("pv_fix_warn", () -> {
            vm.shOk("cat /proc/version >/dev/null; cat /proc/version >/dev/null; cat /proc/version >/dev/null");
            String log = vm.shOk("dmesg");
            assertEquals(1, log.lines().filter(l -> l.contains(message)).count(), log);
        });
    }

    @Test
    void syscallFixWithInlinedUserAccessCarriesItsExceptionTableAndAlternatives() throws Exception {
        String hostname = vm.shOk("hostname");
        JsonNode unit = only(buildJson("fix_sethostname_dash", "pv_fix_hostname").get("objects"));
        JsonNode kept = unit.get("special_entries_kept");
        assertTrue(kept.path("__ex_table").asInt() >= 1, "the inlined user read's fixup: " + kept);
        assertTrue(kept.path(".altinstructions").asInt() >= 2, "STAC and CLAC are alternatives: " + kept);
        try {
            appliedThenRemoved("pv_fix_hostname", () -> {
                // The hostname tools check names themselves: the system call is made directly.
                ExecResult refused = setHostname("-dash");
                assertEquals(22, refused.exitCode(), "EINVAL: " + refused.stdout() + refused.stderr());
                assertEquals(0, setHostname("pv-fixed").exitCode());
                assertEquals("pv-fixed", vm.shOk("hostname").strip());
            });
            assertEquals(0, setHostname("-dash").exitCode(), "the kernel's own sethostname takes it again");
            assertEquals("-dash", vm.shOk("hostname").strip());
        } finally {
            setHostname(hostname.strip());
        }
    }

    @Test
    void changedFunctionSeesTheKernelsOwnFileLocalStatic() throws Exception {
        JsonNode unit = only(buildJson("fix_drop_caches_quiet", "pv_fix_quiet").get("objects"));
        assertTrue(unit.get("klp_symbols").toString().contains("stfu"), unit.toString());
        // The kernel's own static: "quiet" is set by writing 4 before the patch exists.
        vm.shOk("echo 4 > /proc/sys/vm/drop_caches");
        appliedThenRemoved("pv_fix_quiet", () -> {
            vm.shOk("echo 1 > /proc/sys/vm/drop_caches");
            String log = vm.shOk("dmesg");
            assertTrue(log.contains("drop_caches: 1 (quiet 4)"), log);
        });
    }

    @Test
    void aFunctionWithAnExistingWarnOnceGetsAFreshFlag() throws Exception {
        JsonNode unit = only(buildJson("fix_oom_adj_warn_once", "pv_fix_oomadj").get("objects"));
        assertTrue(unit.get("warnings").toString().contains("may be printed once more"), unit.toString());
        // The kernel's own flag is spent first; the patched function's copy starts unset.
        vm.shOk("echo 0 > /proc/self/oom_adj");
        appliedThenRemoved("pv_fix_oomadj", () -> {
            vm.shOk("echo 0 > /proc/self/oom_adj; echo 0 > /proc/self/oom_adj");
            String log = vm.shOk("dmesg");
            assertEquals(1, log.lines().filter(l -> l.contains("oom_score_adj instead (") && l.contains(" there)."))
                    .count(), log);
        });
    }

    @Test
    void aChangedPrDebugIsThePatchsOwnInDynamicDebug() throws Exception {
        JsonNode unit = only(buildJson("fix_aio_nr_events_debug", "pv_fix_aio").get("objects"));
        assertTrue(unit.get("warnings").toString().contains("controlled as module pv_fix_aio"), unit.toString());
        appliedThenRemoved("pv_fix_aio", () -> {
            vm.shOk("echo 'module pv_fix_aio +p' > /proc/dynamic_debug/control");
            ExecResult setup = vm.exec("python3", "-c", "import ctypes, sys\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                    + "ctx = ctypes.c_ulong(0)\nr = libc.syscall(206, ctypes.c_uint(0x7fffffff), ctypes.byref(ctx))\n"
                    + "sys.exit(ctypes.get_errno() if r else 0)");
            assertEquals(22, setup.exitCode(), "io_setup refuses with EINVAL: " + setup.stderr());
            String log = vm.shOk("dmesg");
            // ioctx_alloc doubles the count before it checks it: 0x7fffffff * 2 wraps to 4294967294.
            assertTrue(log.contains("EINVAL: nr_events 4294967294 too high"), log);
        });
    }

    @Test
    void aChangedPrDebugInAModuleIsNoStaticKeyOfThatModule() throws Exception {
        JsonNode unit = only(buildJson("fix_ovl_open_debug", "pv_fix_ovl").get("objects"));
        assertEquals("overlay", unit.get("object").asText());
        appliedThenRemoved("pv_fix_ovl", () -> {
            // The VM's root is an overlay: every open of a file on it goes through the patched function.
            vm.shOk("echo 'module pv_fix_ovl +p' > /proc/dynamic_debug/control; cat /etc/hostname >/dev/null");
            String log = vm.shOk("dmesg");
            assertTrue(log.contains("open real file ("), log);
        });
    }

    @Test
    void fixTouchingTwoFilesReplacesAFunctionInEach() throws Exception {
        JsonNode objects = buildJson("fix_two_files", "pv_fix_two").get("objects");
        assertEquals(2, objects.size(), objects.toString());
        appliedThenRemoved("pv_fix_two", () -> {
            assertTrue(vm.shOk("cat /proc/cmdline").strip().endsWith(" pv.patched"), vm.shOk("cat /proc/cmdline"));
            assertFalse(vm.shOk("cat /proc/version").contains("gcc"), vm.shOk("cat /proc/version"));
        });
        assertFalse(vm.shOk("cat /proc/cmdline").contains("pv.patched"));
    }

    @Test
    void fixInALoadedModuleIsAPatchOfThatModule() throws Exception {
        JsonNode unit = only(buildJson("fix_9p_show_proto", "pv_fix_9p").get("objects"));
        assertEquals("9p", unit.get("object").asText());
        assertTrue(unit.get("klp_symbols").toString().contains(".klp.sym.9pnet."), "9p calls into 9pnet: " + unit);
        // The VM's root is 9p hidden under an overlay: the spare share, mounted here, shows its options.
        String mount = "mkdir -p /tmp/pv-9p && mount -t 9p -o trans=virtio,version=9p2000.L,ro "
                + KernelVm.SPARE_SHARE + " /tmp/pv-9p";
        String line = "grep ' /tmp/pv-9p ' /proc/mounts";
        vm.shOk(mount);
        try {
            assertFalse(vm.shOk(line).contains(",proto="));
            appliedThenRemoved("pv_fix_9p", () -> {
                String mounts = vm.sh(line + "; dmesg | tail -n 5").stdout();
                assertTrue(mounts.contains(",proto=9p2000.L"), mounts);
            });
            assertFalse(vm.shOk(line).contains(",proto="));
        } finally {
            vm.sh("umount /tmp/pv-9p");
        }
    }

    @Test
    void fixesALivePatchCannotCarryAreRefusedWithTheirReasons() throws Exception {
        HostCli.Result data = build("refused_changed_data", "pv_refused_data", false);
        assertEquals(17, data.exit(), data.out() + data.err());
        assertTrue(data.err().contains("sysctl_drop_caches") && data.err().contains("initial contents"), data.err());
        HostCli.Result init = build("refused_init_code", "pv_refused_init", false);
        assertEquals(17, init.exit(), init.out() + init.err());
        assertTrue(init.err().contains("proc_version_init") && init.err().contains("init"), init.err());
        assertFalse(Files.exists(work.resolve("pv_refused_data.ko")));
        assertFalse(Files.exists(work.resolve("pv_refused_init.ko")));
    }

    /** sethostname(2) itself; exits with the errno it failed with. */
    private static ExecResult setHostname(String name) throws IOException {
        return vm.exec("python3", "-c", "import os, socket, sys\ntry:\n    socket.sethostname(sys.argv[1])\n"
                + "except OSError as e:\n    sys.exit(e.errno)", name);
    }

    private interface Check {
        void run() throws Exception;
    }

    /** Applies the built module in the VM, runs {@code check}, removes it again whatever happened. */
    private static void appliedThenRemoved(String name, Check check) throws Exception {
        vm.writeFile("/tmp/" + name + ".ko", Files.readAllBytes(work.resolve(name + ".ko")));
        String state = "/var/lib/patchvisor/fix-build-" + name;
        ExecResult apply = vm.patchvisor("apply", "/tmp/" + name + ".ko", "--state-dir", state);
        assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
        try {
            check.run();
        } finally {
            ExecResult remove = vm.patchvisor("remove", name, "--state-dir", state);
            assertEquals(0, remove.exitCode(), remove.stdout() + remove.stderr());
        }
    }

    private static JsonNode buildJson(String example, String name) throws Exception {
        HostCli.Result built = build(example, name, true);
        assertEquals(0, built.exit(), built.out() + built.err());
        return JSON.readTree(built.out());
    }

    private static HostCli.Result build(String example, String name, boolean json) throws Exception {
        Path ko = work.resolve(name + ".ko");
        Files.deleteIfExists(ko);
        List<String> argv = new ArrayList<>(List.of("build", "--fix", EXAMPLES.resolve(example).resolve("fix.patch")
                .toString(), "--kernel", vm.release(), "--name", name, "--symbol-map", kallsyms.toString(),
                "--source-cache", cache.toString(), "--out", ko.toString()));
        if (json) {
            argv.add("--json");
        }
        return HostCli.run(900, argv.toArray(String[]::new));
    }

    private static JsonNode only(JsonNode array) {
        assertEquals(1, array.size(), array.toString());
        return array.get(0);
    }

    private static List<String> names(JsonNode replaced) {
        List<String> names = new ArrayList<>();
        replaced.forEach(r -> names.add(r.get("function").asText()));
        return names;
    }
}
