package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.patchvisor.detect.Fixtures;
import picocli.CommandLine;

/** The detect command against fixture roots, through picocli as the real entry point drives it. */
class DetectCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PatchvisorCli.commandLine(HostContext.system());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void printsRolesEvidenceSupportAndPlan() {
        int code = run("detect", "--root", Fixtures.root("kvm-host").toString());

        assertEquals(ExitCodes.OK, code, err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("bare metal\n"), text);
        assertTrue(text.contains("kvm host, 2 running VM(s)\n  /dev/kvm: present\n"), text);
        assertTrue(text.contains("live patching: supported (/sys/kernel/livepatch present), sig_enforce=N,"
                + " lockdown=none, taint=40960\n"), text);
        assertTrue(text.endsWith("plan: patch this kernel; dispatch guest agents to 2 running VMs\n"), text);
    }

    @Test
    void refusesInsideAContainerInThePlan() {
        int code = run("detect", "--root", Fixtures.root("lxc-run-systemd").toString());

        assertEquals(ExitCodes.OK, code);
        assertTrue(out.toString().contains("container (lxc)\n  /run/systemd/container: \"lxc\"\n"), out.toString());
        assertTrue(out.toString().endsWith("plan: refuse: inside an lxc container, patch the host instead\n"));
    }

    @Test
    void jsonHasRolesEvidenceAttemptsLivepatchAndPlan() throws Exception {
        int code = run("detect", "--json", "--root", Fixtures.root("openvz-node").toString());

        assertEquals(ExitCodes.OK, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals("bare metal", json.get("roles").get(0).asText());
        assertEquals("openvz node", json.get("roles").get(1).asText());
        assertEquals("/proc/bc", json.get("evidence").get("openvz node").get(1).get("path").asText());
        assertEquals(3, json.get("members").get("openvz node").asInt());
        JsonNode first = json.get("attempts").get(0);
        assertEquals("dmi", first.get("strategy").asText());
        assertEquals("not applied", first.get("outcome").asText());
        assertTrue(json.get("livepatch").get("supported").asBoolean());
        assertEquals("none", json.get("livepatch").get("lockdown").asText());
        assertTrue(json.get("sharedKernelHost").asBoolean());
        assertEquals("patch this kernel once; 3 containers share it", json.get("plan").asText());
        StringWriter same = new StringWriter();
        Json.print(new PrintWriter(same), json);
        assertEquals(same.toString(), out.toString(), "the one JSON writer's form");
    }

    @Test
    void missingRootIsOneLineAndUsageExit() {
        int code = run("detect", "--root", "/no/such/root");

        assertEquals(ExitCodes.USAGE, code);
        assertEquals("patchvisor detect: --root /no/such/root is not a directory\n", err.toString());
    }
}
