package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code diff} through picocli on objects gcc compiles in the test. */
class DiffCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new DiffCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    private Path compile(String dir, String source) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(dir));
        Files.writeString(d.resolve("u.c"), source);
        // The kernel's ftrace and code-model flags: a changed function without call __fentry__ is not carried.
        Process p = new ProcessBuilder("gcc", "-O2", "-ffunction-sections", "-fdata-sections", "-pg", "-mfentry",
                "-fno-pic", "-mcmodel=kernel", "-c", d.resolve("u.c").toString(), "-o", d.resolve("u.o").toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        return d.resolve("u.o");
    }

    @Test
    void textAndJson() throws Exception {
        Path pre = compile("pre", "int f(int x) { return x; }\nstatic int t[2] = {1, 2};\nint g(int i) { return t[i]; }\n");
        Path post = compile("post", "int f(int x) { return x + 1; }\nstatic int t[2] = {1, 3};\nint g(int i) { return t[i]; }\n");
        assertEquals(0, run(pre.toString(), post.toString()));
        assertTrue(out.toString().contains("changed   u.o f\n"), out.toString());
        assertTrue(out.toString().contains("WARNING   u.o t: static data changed"), out.toString());

        out.getBuffer().setLength(0);
        assertEquals(0, run("--json", pre.toString(), post.toString()));
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals("f", json.get("changed").get(0).get("function").asText());
        java.util.List<String> fields = new java.util.ArrayList<>();
        json.get("changed").get(0).fieldNames().forEachRemaining(fields::add);
        assertEquals(java.util.List.of("file", "function", "preName", "postName", "local"), fields);
        assertEquals("STATIC_DATA", json.get("uncarriable").get(0).get("kind").asText());
    }

    @Test
    void coverageFailsWhenAChangedFunctionIsNotReplaced() throws Exception {
        Path pre = compile("pre", "int f(int x) { return x; }\nint g(int x) { return x * 2; }\n");
        Path post = compile("post", "int f(int x) { return x + 1; }\nint g(int x) { return x * 3; }\n");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("livepatch.json"),
                "{\"replacements\": [{\"function\": \"f\", \"replacement\": \"new_f\"}]}");
        assertEquals(ExitCodes.NOT_COVERED, run("--coverage", src.toString(), pre.toString(), post.toString()));
        assertTrue(err.toString().contains("does not replace changed function(s) g"), err.toString());

        Files.writeString(src.resolve("livepatch.json"), "{\"replacements\": [{\"function\": \"f\", "
                + "\"replacement\": \"new_f\"}, {\"function\": \"g\", \"replacement\": \"new_g\"}]}");
        assertEquals(ExitCodes.OK, run("--coverage", src.toString(), pre.toString(), post.toString()));
    }

    @Test
    void fileAgainstDirectoryIsAUsageError() throws Exception {
        Path pre = compile("pre", "int f(void) { return 0; }\n");
        assertEquals(ExitCodes.USAGE, run(pre.toString(), tmp.toString()));
        assertTrue(err.toString().startsWith("patchvisor diff: "), err.toString());
    }
}
