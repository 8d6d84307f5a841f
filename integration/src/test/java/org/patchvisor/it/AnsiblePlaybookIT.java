package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patchvisor.feed.ConfigFile;

/**
 * The example fleet playbook as the real Ansible reads it, without contacting a host (a few seconds): it parses,
 * its plays upgrade the canary host alone before the rest of the fleet with the same tasks, and its config
 * template renders a file that patchvisor's own config parser reads back with the values the playbook was given.
 */
class AnsiblePlaybookIT {
    private static final Path DIR = Path.of(System.getProperty("patchvisor.root", ".")).resolve("examples/ansible");
    private static final List<String> UPGRADE_TASKS = List.of("Upgrade the host kernel",
            "Upgrade the guests (canary guest first, halting on failure)",
            "Verify (Nagios-style: 1 = a patch is still pending, 3 = feed error;"
                    + " 2 = no patch for this kernel is fine)");
    /** "  play #2 (canary): Canary upgrade, one host at a time	TAGS: []": the play's host pattern and name. */
    private static final Pattern PLAY = Pattern.compile("  play #\\d+ \\((.+?)\\): (.+?)\\tTAGS: .*");

    private static Path work;

    @BeforeAll
    static void requireAnsible() throws IOException {
        Components.onThisMachine().requireAnsible();
        work = Files.createTempDirectory(HostScripts.targetDir("ansible-it"), "run-");
    }

    @Test
    void playbookPassesSyntaxCheck() throws Exception {
        String out = ansible("syntax-check", "ansible-playbook", "-i", "inventory.ini", "--syntax-check",
                "patchvisor.yml");
        assertTrue(out.contains("playbook: patchvisor.yml"), out);
    }

    @Test
    void theCanaryIsUpgradedAloneBeforeTheRestOfTheFleetWithTheSameTasks() throws Exception {
        Map<String, List<String>> tasks = plays(ansible("list-tasks", "ansible-playbook", "-i", "inventory.ini",
                "--list-tasks", "patchvisor.yml"));
        assertEquals(List.of("patchvisor: Install patchvisor", "canary: Canary upgrade, one host at a time",
                "fleet: Everyone else, in batches"), List.copyOf(tasks.keySet()), tasks.toString());
        assertTrue(tasks.get("patchvisor: Install patchvisor").containsAll(List.of("Install the site config",
                "Install the libvirt hook (libvirt reads it at start)", "Enable the worker and the upgrade timer")),
                tasks.toString());
        assertEquals(UPGRADE_TASKS, tasks.get("canary: Canary upgrade, one host at a time"));
        assertEquals(UPGRADE_TASKS, tasks.get("fleet: Everyone else, in batches"),
                "the fleet reuses the canary's tasks");

        Map<String, List<String>> hosts = plays(ansible("list-hosts", "ansible-playbook", "-i", "inventory.ini",
                "--list-hosts", "patchvisor.yml"));
        assertEquals(List.of("kvm-host-01.example.com"), hosts.get("canary: Canary upgrade, one host at a time"));
        assertEquals(Set.of("kvm-host-02.example.com", "kvm-host-03.example.com", "kvm-host-04.example.com"),
                Set.copyOf(hosts.get("fleet: Everyone else, in batches")), hosts.toString());
        assertEquals(4, Set.copyOf(hosts.get("patchvisor: Install patchvisor")).size(), "installed everywhere");
    }

    @Test
    void theConfigTemplateRendersAConfigPatchvisorReads() throws Exception {
        Path rendered = work.resolve("patchvisor.conf");
        ansible("template", "ansible", "localhost", "-c", "local", "-i", "localhost,", "-m", "ansible.builtin.template",
                "-a", "src=patchvisor.conf.j2 dest=" + rendered, "-e", "{\"patchvisor_repository\": "
                + "\"https://feed.example.com/patchvisor/\", \"patchvisor_trusted_keys\": [\"key-one\", \"key-two\"], "
                + "\"patchvisor_metrics_file\": \"/var/lib/node_exporter/patchvisor.prom\"}");
        ConfigFile config = ConfigFile.read(rendered);
        assertEquals(Optional.of("https://feed.example.com/patchvisor/"), config.single("repository"));
        assertEquals(List.of("key-one", "key-two"), config.all("trusted-key"));
        assertEquals(Optional.of("/var/lib/node_exporter/patchvisor.prom"), config.single("metrics-file"));
    }

    /**
     * What {@code --list-tasks} or {@code --list-hosts} prints, per play ("pattern: name", in playbook order): the
     * entries indented under it, tasks or hosts.
     */
    private static Map<String, List<String>> plays(String listing) {
        Map<String, List<String>> plays = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : listing.lines().toList()) {
            Matcher play = PLAY.matcher(line);
            if (play.matches()) {
                current = new ArrayList<>();
                plays.put(play.group(1) + ": " + play.group(2), current);
            } else if (current != null && line.startsWith("      ") && !line.isBlank()) {
                current.add(line.strip().replaceFirst("\\s*TAGS: \\[.*]$", ""));
            }
        }
        return plays;
    }

    /** Runs an Ansible command in the example's directory; it must exit 0. Its temporary files stay in target/. */
    private static String ansible(String logName, String... command) throws Exception {
        Path log = work.resolve(logName + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("ANSIBLE_LOCAL_TEMP", work.resolve("ansible-local").toString());
        builder.environment().put("ANSIBLE_REMOTE_TEMP", work.resolve("ansible-remote").toString());
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        Process p = builder.start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertTrue(finished, String.join(" ", command) + " did not finish within 120 s: " + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
