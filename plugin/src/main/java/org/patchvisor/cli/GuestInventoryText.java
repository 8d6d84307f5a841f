package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.fleet.GuestInventory.Row;
import org.patchvisor.guest.GuestText;
import org.patchvisor.model.LivePatch;

/** The guest inventory as {@code guests} and {@code status --guests} show it: a table, or the JSON view. */
final class GuestInventoryText {
    private GuestInventoryText() {
    }

    static void print(PrintWriter out, List<Row> rows) {
        out.printf("%-20s %-8s %-6s %-26s %s%n", "NAME", "STATE", "AGENT", "KERNEL", "PATCHES");
        for (Row row : rows) {
            String patches = row.patches().isEmpty() ? "-" : String.join(",", row.patches().stream()
                    .map(p -> GuestText.printable(p.name()) + (p.inTransition() ? "(transition)" : p.enabled() ? "" : "(disabled)"))
                    .toList());
            out.printf("%-20s %-8s %-6s %-26s %s%s%n", GuestText.printable(row.guest().name()),
                    row.guest().state().label(), row.agent(), row.kernel() == null ? "-" : row.kernel().release(),
                    patches, row.note().isEmpty() ? "" : "  (" + row.note() + ")");
        }
    }

    static List<Map<String, Object>> view(List<Row> rows) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", GuestText.printable(row.guest().name()));
            one.put("adapter", row.guest().adapter());
            one.put("id", row.guest().id());
            one.put("state", row.guest().state().label());
            one.put("agent", row.agent());
            one.put("policy", row.guest().policy());
            if (row.kernel() != null) {
                Map<String, Object> kernel = new LinkedHashMap<>();
                kernel.put("release", row.kernel().release());
                kernel.put("version", row.kernel().version());
                kernel.put("machine", row.kernel().machine());
                kernel.put("buildId", row.kernel().buildId().orElse(null));
                one.put("kernel", kernel);
            } else {
                one.put("kernel", null);
            }
            List<Map<String, Object>> patches = new ArrayList<>();
            for (LivePatch p : row.patches()) {
                Map<String, Object> patch = new LinkedHashMap<>();
                patch.put("name", GuestText.printable(p.name()));
                patch.put("enabled", p.enabled());
                patch.put("transition", p.inTransition());
                patch.put("functions", p.functionsByObject());
                patches.add(patch);
            }
            one.put("patches", patches);
            one.put("note", row.note().isEmpty() ? null : row.note());
            list.add(one);
        }
        return list;
    }
}
