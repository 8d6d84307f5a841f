package org.patchvisor.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.fleet.SpoolDrainer;
import org.patchvisor.model.Outcome;

/** The installed hook script run by /bin/sh exactly as libvirt runs it, and the installer around it. */
class HookScriptTest {
    @TempDir
    Path tmp;

    @Test
    void hundredConcurrentHookRunsSpoolHundredCompleteEvents() throws Exception {
        Path hooks = tmp.resolve("hooks");
        Path spool = tmp.resolve("spool");
        new HookInstaller(hooks).install(spool);
        Path hook = hooks.resolve("qemu.d").resolve(HookInstaller.FILE_NAME);
        Path xml = tmp.resolve("domain.xml");
        List<Process> running = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            Files.writeString(xml.resolveSibling("d" + i + ".xml"), "<domain type='qemu'>\n  <name>vm" + i
                    + "</name>\n  <uuid>00000000-0000-0000-0000-" + String.format("%012d", i) + "</uuid>\n</domain>\n");
            running.add(new ProcessBuilder(hook.toString(), "vm" + i, "started", "begin", "-")
                    .redirectInput(xml.resolveSibling("d" + i + ".xml").toFile()).start());
        }
        for (Process p : running) {
            assertEquals(0, p.waitFor());
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        List<GuestEvent> events = new EventSpool(spool).events();
        assertEquals(100, events.size(), "events: " + events);
        Set<String> guests = new HashSet<>();
        for (GuestEvent e : events) {
            int n = Integer.parseInt(e.guest().substring(2));
            assertEquals("started", e.operation());
            assertEquals(String.format("00000000-0000-0000-0000-%012d", n), e.uuid());
            assertTrue(e.time().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), e.time());
            guests.add(e.guest());
        }
        assertEquals(100, guests.size());
        try (var left = Files.list(spool)) {
            assertEquals(100, left.count(), "no temp files left behind");
        }
        assertTrue(ms < 20_000, "100 hook runs took " + ms + " ms");
    }

    @Test
    void aHostileGuestNameIsSpooledExactlyAndAddsNoFields() throws Exception {
        Path hooks = tmp.resolve("hooks");
        Path spool = tmp.resolve("spool");
        new HookInstaller(hooks).install(spool);
        Path hook = hooks.resolve("qemu.d").resolve(HookInstaller.FILE_NAME);
        List<String> names = List.of(
                "vm\noperation=stopped",
                "vm\nguest=prod\nguest-hex=70726f64",
                "\u0001\u001b[2J\u001b[H\r\tguest prod: applied\u007f",
                "vm\n",
                "\n",
                "-n",
                "--",
                "%s%n\\n'\"$(touch " + tmp.resolve("pwned") + ")`id` *?",
                " leading and trailing ",
                "日本語-\u202egnp.exe-\u00e9\ud83d\ude00",
                "x".repeat(100_000) + "\nuuid=forged");
        for (String name : names) {
            Process run = new ProcessBuilder(hook.toString(), name, "started", "begin", "-")
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            assertEquals(0, run.waitFor());
        }
        List<String> warnings = new ArrayList<>();
        List<GuestEvent> events = new EventSpool(spool, warnings::add).events();

        assertEquals(List.of(), warnings);
        assertEquals(Set.copyOf(names), Set.copyOf(events.stream().map(GuestEvent::guest).toList()));
        assertEquals(names.size(), events.size());
        for (GuestEvent e : events) {
            assertEquals("started", e.operation(), "the hook's own operation, not an injected one");
            assertEquals("", e.uuid());
            List<String> lines = Files.readAllLines(e.file());
            assertEquals(4, lines.size(), "exactly the four fields the hook writes: " + lines.get(0).substring(0,
                    Math.min(80, lines.get(0).length())));
        }
        assertTrue(Files.notExists(tmp.resolve("pwned")), "the name is data, never run");
    }

    @Test
    void anEventWithARepeatedUnknownOrDoubleNamedFieldIsRefused() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        // As a hook before the hex encoding wrote a guest named "vm\noperation=stopped": the line repeats a field.
        Files.writeString(spool.resolve("1.1.event"), "guest=vm\noperation=stopped\noperation=started\ntime=\nuuid=\n");
        Files.writeString(spool.resolve("2.1.event"), "guest=vm\nrm=-rf\noperation=started\n");
        Files.writeString(spool.resolve("3.1.event"), "guest=vm\n\noperation=started\n");
        Files.writeString(spool.resolve("4.1.event"), "guest=vm\nguest-hex=766d\noperation=started\n");
        Files.writeString(spool.resolve("5.1.event"), "guest-hex=766\noperation=started\n");
        Files.writeString(spool.resolve("6.1.event"), "guest-hex=76\u0663d\noperation=started\n");
        Files.writeString(spool.resolve("7.1.event"), "guest-hex=ff\noperation=started\n");
        Files.writeString(spool.resolve("8.1.event"), "");
        Files.writeString(spool.resolve("9.1.event"), "guest-hex=766D0a6f703d78\noperation=started\n");
        Files.writeString(spool.resolve("9.2.event"), "guest=vm\noperation=started\n");
        List<String> warnings = new ArrayList<>();

        List<GuestEvent> events = new EventSpool(spool, warnings::add).events();

        assertEquals(List.of("vm\nop=x", "vm"), events.stream().map(GuestEvent::guest).toList(),
                "upper-case hex and the earlier hooks' plain names still read");
        List<String> reasons = warnings.stream().map(w -> w.substring(w.indexOf(" is not a well-formed event: ") + 29,
                w.indexOf("; moved aside"))).toList();
        assertEquals(List.of("the field 'operation' appears twice", "an unknown field 'rm'", "an empty line",
                "both guest-hex and guest name a guest", "guest-hex is not an even number of hex digits",
                "guest-hex is not an even number of hex digits", "not UTF-8 text", "an empty file"), reasons);
    }

    @Test
    void otherOperationsAreIgnoredAndTheHookNeverFails() throws Exception {
        Path hooks = tmp.resolve("hooks");
        Path spool = tmp.resolve("spool");
        new HookInstaller(hooks).install(spool);
        Path hook = hooks.resolve("qemu.d").resolve(HookInstaller.FILE_NAME);
        Process stopped = new ProcessBuilder(hook.toString(), "vm1", "stopped", "end", "-").start();
        stopped.getOutputStream().write("<domain/>".getBytes(StandardCharsets.UTF_8));
        stopped.getOutputStream().close();
        assertEquals(0, stopped.waitFor());
        assertEquals(List.of(), new EventSpool(spool).events());
        Files.createDirectories(spool.getParent());
        Files.writeString(spool, "a file where the spool directory should be");
        Process started = new ProcessBuilder(hook.toString(), "vm1", "started", "begin", "-")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        assertEquals(0, started.waitFor(), "a broken spool must not stop the guest from starting");
    }

    @Test
    void installIsIdempotentKeepsForeignHooksAndUninstallRemovesOnlyOurs() throws Exception {
        Path hooks = tmp.resolve("hooks");
        Files.createDirectories(hooks.resolve("lxc.d"));
        Files.writeString(hooks.resolve("lxc.d").resolve("other"), "#!/bin/sh\nexit 0\n");
        Files.createDirectories(hooks.resolve("qemu.d"));
        Files.writeString(hooks.resolve("qemu"), "#!/bin/sh\n# the classic single-file hook\n");
        HookInstaller installer = new HookInstaller(hooks);
        Path spool = tmp.resolve("spool");

        assertEquals(List.of(HookInstaller.Action.INSTALLED, HookInstaller.Action.INSTALLED), actions(installer.install(spool)));
        assertEquals(List.of(HookInstaller.Action.UNCHANGED, HookInstaller.Action.UNCHANGED), actions(installer.install(spool)));
        assertEquals(List.of(HookInstaller.Action.UPDATED, HookInstaller.Action.UPDATED),
                actions(installer.install(tmp.resolve("elsewhere"))));
        assertTrue(Files.isExecutable(hooks.resolve("qemu.d/patchvisor")));
        assertTrue(Files.notExists(hooks.resolve("libxl.d")), "no libxl daemon here: no libxl.d");

        assertEquals(List.of(HookInstaller.Action.REMOVED, HookInstaller.Action.REMOVED), actions(installer.uninstall()));
        assertEquals(List.of(HookInstaller.Action.ABSENT), actions(installer.uninstall()));
        assertTrue(Files.exists(hooks.resolve("lxc.d/other")));
        assertEquals("#!/bin/sh\n# the classic single-file hook\n", Files.readString(hooks.resolve("qemu")));

        Files.writeString(hooks.resolve("qemu.d/patchvisor"), "#!/bin/sh\n# someone else's\n");
        assertEquals(HookInstaller.Action.CONFLICT, installer.install(spool).get(0).action());
        assertEquals(HookInstaller.Action.CONFLICT, installer.uninstall().get(0).action());
        assertEquals("#!/bin/sh\n# someone else's\n", Files.readString(hooks.resolve("qemu.d/patchvisor")));
    }

    @Test
    void drainerRemovesEventsOnlyForGuestsThatEndedFinal() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        write(spool, "1.1.event", "vm1");
        write(spool, "2.1.event", "vm2");
        write(spool, "3.1.event", "vm1");
        Files.writeString(spool.resolve("4.1.event"), "operation=started\n");
        Map<String, SpoolDrainer.Result> results = Map.of(
                "vm1", new SpoolDrainer.Result(Outcome.APPLIED, true, ""),
                "vm2", new SpoolDrainer.Result(Outcome.UNREACHABLE, false, "agent silent"));
        List<String> calls = new ArrayList<>();
        var clock = java.time.Clock.fixed(java.time.Instant.parse("2025-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
        SpoolDrainer drainer = new SpoolDrainer(new EventSpool(spool), guest -> {
            calls.add(guest);
            return results.get(guest);
        }, clock, java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(30), java.time.Duration.ofHours(24));

        List<SpoolDrainer.Handled> handled = drainer.pass();
        assertEquals(List.of("vm1", "vm2"), calls, "one job per guest, oldest first");
        assertEquals(2, handled.get(0).events());
        assertEquals(List.of("vm2"), new EventSpool(spool).events().stream().map(GuestEvent::guest).toList());
        assertTrue(Files.exists(spool.resolve("4.1.event.bad")), "an event without a guest is set aside");
        drainer.pass();
        assertEquals(List.of("vm1", "vm2"), calls, "vm2 backs off before its retry");
        assertTrue(!drainer.pendingNow());
    }

    private static void write(Path spool, String name, String guest) throws Exception {
        Files.writeString(spool.resolve(name), "guest=" + guest + "\noperation=started\ntime=2025-01-01T00:00:00Z\nuuid=\n");
    }

    private static List<HookInstaller.Action> actions(List<HookInstaller.Change> changes) {
        return changes.stream().map(HookInstaller.Change::action).toList();
    }
}
