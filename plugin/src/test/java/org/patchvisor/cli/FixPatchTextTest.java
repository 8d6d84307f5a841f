package org.patchvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.patchvisor.publish.DiffReport;
import org.patchvisor.publish.FixComparison;
import org.patchvisor.publish.FixLivePatchBuilder;
import org.patchvisor.publish.ReplacedFunction;

/** What {@code build --fix} prints for a built patch, as text and as {@code --json}. */
class FixPatchTextTest {
    private static final FixLivePatchBuilder.Built BUILT = new FixLivePatchBuilder.Built(Path.of("/tmp/pv_two.ko"),
            "pv_two", List.of(
                    new FixLivePatchBuilder.UnitPatch("fs/aio.o", "vmlinux",
                            List.of(new ReplacedFunction("ioctx_alloc", 0, "pv_fn_0", "fs/aio.o")), List.of(),
                            Map.of("__jump_table", 10), List.of(".klp.sym.vmlinux.aio_nr,0"), List.of("vmlinux"),
                            List.of("ioctx_alloc: its pr_debug is controlled as module pv_two in dynamic debug while "
                                    + "the patch is loaded")),
                    new FixLivePatchBuilder.UnitPatch("fs/proc/base.o", "vmlinux",
                            List.of(new ReplacedFunction("__set_oom_adj.isra.0", 0, "pv_fn_1", "fs/proc/base.o")),
                            List.of("oom_helper"), Map.of(), List.of(), List.of(), List.of())),
            List.of("the fix changes Documentation/x.rst, which is not code a live patch can carry"),
            new FixComparison.Result(DiffReport.empty(), List.of(), List.of(), Path.of("/tmp/objects"),
                    FixComparison.Steps.UNTIMED),
            new FixLivePatchBuilder.Timings(Duration.ofMillis(2500), Duration.ofMillis(300), Duration.ofMillis(30),
                    Duration.ofMillis(1300)));

    @Test
    void jsonGivesEachObjectItsWarningsAndTimesEachStep() throws Exception {
        StringWriter text = new StringWriter();
        Json.print(new PrintWriter(text), FixPatchText.json(BUILT, "6.1.0-57-amd64", Optional.empty()));
        JsonNode doc = new ObjectMapper().readTree(text.toString());
        JsonNode objects = doc.get("objects");
        assertEquals(2, objects.size());
        assertEquals("ioctx_alloc: its pr_debug is controlled as module pv_two in dynamic debug while the patch is "
                + "loaded", objects.get(0).get("warnings").get(0).asText());
        assertEquals(0, objects.get(1).get("warnings").size());
        assertEquals("oom_helper", objects.get(1).get("new").get(0).asText());
        assertEquals(".klp.sym.vmlinux.aio_nr,0", objects.get(0).get("klp_symbols").get(0).asText());
        assertEquals(10, objects.get(0).get("special_entries_kept").get("__jump_table").asInt());
        assertEquals(List.of("the fix changes Documentation/x.rst, which is not code a live patch can carry"),
                List.of(doc.get("warnings").get(0).asText()), "what belongs to no object stays at the top");
        JsonNode timings = doc.get("timings_seconds");
        assertEquals(List.of("compile", "compare", "extract", "link"), fieldNames(timings));
        assertEquals(2.5, timings.get("compile").asDouble(), 1e-9);
        assertEquals(0.3, timings.get("compare").asDouble(), 1e-9);
        assertEquals(0.03, timings.get("extract").asDouble(), 1e-9);
        assertEquals(1.3, timings.get("link").asDouble(), 1e-9);
    }

    @Test
    void textNamesEachUnitAndTheSteps() {
        StringWriter text = new StringWriter();
        FixPatchText.print(BUILT, "6.1.0-57-amd64", new PrintWriter(text, true));
        List<String> lines = text.toString().lines().toList();
        assertEquals(3, lines.size(), text.toString());
        assertTrue(lines.get(1).startsWith("extracted fs/proc/base.o (vmlinux): replaces __set_oom_adj.isra.0; new "
                + "oom_helper"), lines.get(1));
        assertEquals("built /tmp/pv_two.ko (pv_two, 2 function(s), from the fix alone) for 6.1.0-57-amd64 in 4.1 s "
                + "(compile 2.5 s, compare 0.30 s, extract 0.03 s, link 1.3 s)", lines.get(2));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
