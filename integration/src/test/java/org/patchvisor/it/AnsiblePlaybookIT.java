package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example fleet playbook parses with the real ansible-playbook (--syntax-check, about 1.5 s). */
class AnsiblePlaybookIT {
    @Test
    void playbookPassesSyntaxCheck() throws Exception {
        Components.onThisMachine().requireAnsible();
        Path dir = Path.of(System.getProperty("patchvisor.root", ".")).resolve("examples/ansible");
        Process p = new ProcessBuilder("ansible-playbook", "-i", "inventory.ini", "--syntax-check", "patchvisor.yml")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals(true, Files.exists(dir.resolve("patchvisor.conf.j2")));
    }
}
