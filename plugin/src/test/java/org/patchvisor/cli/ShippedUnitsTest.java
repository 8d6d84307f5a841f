package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The systemd units shipped in integration/systemd: every one that runs patchvisor reads /etc/default/patchvisor,
 * where the shipped config tells admins to put PATCHVISOR_STATE_DIR (and the proxy variables). Every command
 * resolves its state directory by the same rule, so a unit that skips the file (the boot reload once did) looks
 * for the installed records in the wrong place. The .deb lane runs systemd-analyze verify on the same files.
 */
class ShippedUnitsTest {
    private static final Path UNITS = Path.of("../integration/systemd");
    private static final Path CONFIG = Path.of("../integration/config/patchvisor.conf");
    private static final String DEFAULTS = "EnvironmentFile=-/etc/default/patchvisor";

    @Test
    void everyUnitThatRunsPatchvisorReadsTheDefaultsFile() throws IOException {
        Map<String, List<String>> services = serviceSections();
        assertTrue(services.keySet().containsAll(List.of("patchvisor-load.service", "patchvisor-upgrade.service",
                "patchvisor-worker.service")), services.keySet().toString());
        for (Map.Entry<String, List<String>> unit : services.entrySet()) {
            List<String> lines = unit.getValue();
            if (lines.stream().anyMatch(l -> l.startsWith("ExecStart=/usr/bin/patchvisor "))) {
                assertTrue(lines.contains(DEFAULTS), unit.getKey() + " runs patchvisor without " + DEFAULTS);
                assertTrue(lines.indexOf(DEFAULTS) < indexOfExecStart(lines),
                        unit.getKey() + ": the environment is read before ExecStart runs (kept above it for readers)");
            }
        }
    }

    @Test
    void theConfigSendsAdminsToTheFileTheUnitsRead() throws IOException {
        String config = Files.readString(CONFIG);
        assertTrue(config.contains("PATCHVISOR_STATE_DIR"), "the config documents the state-dir variable");
        assertTrue(config.contains("/etc/default/patchvisor"), "the config names the file the units read");
    }

    /** Each .service file's [Service] lines, comments and blanks left out. */
    private static Map<String, List<String>> serviceSections() throws IOException {
        Map<String, List<String>> sections = new TreeMap<>();
        try (Stream<Path> files = Files.list(UNITS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".service")).sorted().toList()) {
                List<String> lines = new ArrayList<>();
                String section = "";
                for (String raw : Files.readAllLines(file)) {
                    String line = raw.strip();
                    if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                        continue;
                    }
                    if (line.startsWith("[")) {
                        section = line;
                    } else if (section.equals("[Service]")) {
                        lines.add(line);
                    }
                }
                sections.put(file.getFileName().toString(), lines);
            }
        }
        assertEquals(3, sections.size(), "the units shipped: " + sections.keySet());
        return sections;
    }

    private static int indexOfExecStart(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("ExecStart=")) {
                return i;
            }
        }
        return -1;
    }
}
