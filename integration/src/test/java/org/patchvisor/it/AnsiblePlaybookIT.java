package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example fleet playbook parses with the real ansible-playbook (--syntax-check, about 1.5 s). */
class AnsiblePlaybookIT {
    @Test
    void playbookPassesSyntaxCheck() throws Exception {
        Components.onThisMachine().requireAnsible();
        Path dir = Path.of(System.getProperty("patchvisor.root", ".")).resolve("examples/ansible");
        Path log = HostScripts.targetDir("ansible-it").resolve("syntax-check.log");
        Process p = new ProcessBuilder("ansible-playbook", "-i", "inventory.ini", "--syntax-check", "patchvisor.yml")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertTrue(finished, "ansible-playbook did not finish within 120 s: " + out);
        assertEquals(0, p.exitValue(), out);
        assertEquals(true, Files.exists(dir.resolve("patchvisor.conf.j2")));
    }
}
