package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.publish.FixLivePatchBuilder;
import org.patchvisor.publish.Publication;
import org.patchvisor.publish.ReplacedFunction;

/**
 * What {@code build --fix} prints: a line per unit and one summary line, or the same as one JSON object, where each
 * object also lists its warnings (the warnings go to stderr as text, see {@code BuildPipeline}).
 */
final class FixPatchText {

    private FixPatchText() {
    }

    /** {@code pv_} and the fix file's name in the characters a module name may have. */
    static String defaultName(Path fix) {
        String base = fix.getFileName().toString().replaceFirst("\\.(patch|diff)$", "");
        String name = "pv_" + base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 55 ? name.substring(0, 55) : name;
    }

    static void print(FixLivePatchBuilder.Built built, String kernel, PrintWriter out) {
        for (FixLivePatchBuilder.UnitPatch u : built.units()) {
            List<String> replaced = new ArrayList<>();
            for (ReplacedFunction r : u.replaced()) {
                replaced.add(r.oldName() + (r.sympos() > 0 ? "," + r.sympos() : ""));
            }
            out.println("extracted " + u.unit() + " (" + u.object() + "): replaces " + String.join(" ", replaced)
                    + (u.added().isEmpty() ? "" : "; new " + String.join(" ", u.added()))
                    + (u.klpSymbols().isEmpty() ? "" : "; " + u.klpSymbols().size()
                    + " kernel symbol(s) resolved by the livepatch core"));
        }
        FixLivePatchBuilder.Timings t = built.timings();
        out.println("built " + built.module() + " (" + built.name() + ", " + built.functions().size()
                + " function(s), from the fix alone) for " + kernel + String.format(Locale.ROOT,
                " in %.1f s (compile %.1f s, compare %.2f s, extract %.2f s, link %.1f s)", seconds(t.total()),
                seconds(t.compile()), seconds(t.compare()), seconds(t.extract()), seconds(t.link())));
    }

    static Map<String, Object> json(FixLivePatchBuilder.Built built, String kernel,
                                    Optional<Publication.Published> published) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("module", built.module().toString());
        doc.put("name", built.name());
        doc.put("kernel", kernel);
        List<Map<String, Object>> units = new ArrayList<>();
        for (FixLivePatchBuilder.UnitPatch u : built.units()) {
            Map<String, Object> unit = new LinkedHashMap<>();
            unit.put("unit", u.unit());
            unit.put("object", u.object());
            List<Map<String, Object>> replaced = new ArrayList<>();
            for (ReplacedFunction r : u.replaced()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("function", r.oldName());
                function.put("sympos", r.sympos());
                function.put("symbol", r.newSymbol());
                replaced.add(function);
            }
            unit.put("replaced", replaced);
            unit.put("new", u.added());
            unit.put("klp_symbols", u.klpSymbols());
            unit.put("special_entries_kept", new TreeMap<>(u.entriesKept()));
            unit.put("warnings", u.warnings());
            units.add(unit);
        }
        doc.put("objects", units);
        doc.put("warnings", built.warnings());
        FixLivePatchBuilder.Timings t = built.timings();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("compile", seconds(t.compile()));
        timings.put("compare", seconds(t.compare()));
        timings.put("extract", seconds(t.extract()));
        timings.put("link", seconds(t.link()));
        doc.put("timings_seconds", timings);
        published.ifPresent(p -> doc.put("published", Map.of("repo", p.repo().toString(), "bundle", p.entry().id(),
                "serial", p.index().serial())));
        return doc;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
