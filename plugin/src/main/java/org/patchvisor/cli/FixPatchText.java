package org.patchvisor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.publish.FixLivePatchBuilder;
import org.patchvisor.publish.Publication;
import org.patchvisor.publish.ReplacedFunction;

/** What {@code build --fix} prints: a line per unit and one summary line, or the same as one JSON object. */
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
                " in %.1f s (compile and compare %.1f s, extract %.1f s, link %.1f s)",
                seconds(t.compileAndCompare().plus(t.extract()).plus(t.link())), seconds(t.compileAndCompare()),
                seconds(t.extract()), seconds(t.link())));
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
                replaced.add(Map.of("function", r.oldName(), "sympos", r.sympos(), "symbol", r.newSymbol()));
            }
            unit.put("replaced", replaced);
            unit.put("new", u.added());
            unit.put("klp_symbols", u.klpSymbols());
            unit.put("special_entries_kept", new java.util.TreeMap<>(u.entriesKept()));
            unit.put("warnings", u.warnings());
            units.add(unit);
        }
        doc.put("objects", units);
        doc.put("warnings", built.warnings());
        FixLivePatchBuilder.Timings t = built.timings();
        doc.put("timings_seconds", Map.of("compile_and_compare", seconds(t.compileAndCompare()),
                "extract", seconds(t.extract()), "link", seconds(t.link())));
        published.ifPresent(p -> doc.put("published", Map.of("repo", p.repo().toString(), "bundle", p.entry().id(),
                "serial", p.index().serial())));
        return doc;
    }

    private static double seconds(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }
}
