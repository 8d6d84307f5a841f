package org.patchvisor.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of Prometheus gauges in the text exposition format, for node_exporter's textfile collector. Each metric
 * gets its HELP and TYPE lines once, then one sample per label set; label values are escaped as the format says.
 */
public final class Metrics {
    private record Sample(Map<String, String> labels, double value) {
    }

    private record Family(String help, List<Sample> samples) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Adds one gauge sample; {@code labels} alternate names and values. */
    public Metrics gauge(String name, String help, double value, String... labels) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*") || labels.length % 2 != 0) {
            throw new IllegalArgumentException("bad metric " + name);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        families.computeIfAbsent(name, n -> new Family(help, new ArrayList<>())).samples().add(new Sample(map, value));
        return this;
    }

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder();
        families.forEach((name, family) -> {
            out.append("# HELP ").append(name).append(' ').append(family.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(name).append(" gauge\n");
            for (Sample sample : family.samples()) {
                out.append(name);
                if (!sample.labels().isEmpty()) {
                    out.append('{');
                    String sep = "";
                    for (Map.Entry<String, String> label : sample.labels().entrySet()) {
                        out.append(sep).append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
                        sep = ",";
                    }
                    out.append('}');
                }
                out.append(' ').append(format(sample.value())).append('\n');
            }
        });
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
