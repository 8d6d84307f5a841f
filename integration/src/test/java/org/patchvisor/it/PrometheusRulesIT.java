package org.patchvisor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.patchvisor.metrics.MetricNames;

/**
 * The shipped alert rules and Grafana dashboard as their consumers read them: the real promtool checks the rules,
 * runs their unit tests and parses every dashboard query, and every metric the rules and the dashboard name is one
 * patchvisor writes ({@link MetricNames}), so a renamed metric cannot leave an alert that never fires or an empty
 * panel. The promtool tests skip on a developer machine without it (package prometheus); under CI they fail.
 */
class PrometheusRulesIT {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path RULES = HostScripts.projectRoot().resolve("integration/prometheus/patchvisor-alerts.yml");
    private static final Path RULE_TESTS = RULES.resolveSibling("patchvisor-alerts.test.yml");
    private static final Path DASHBOARD =
            HostScripts.projectRoot().resolve("integration/grafana/patchvisor-dashboard.json");
    /** The data source every panel and query uses: the dashboard's own variable, never a uid of one Grafana. */
    private static final String DATASOURCE = "${datasource}";

    /** Words of PromQL that are not metric names where they stand outside a call, a matcher or a grouping. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier (a metric, function or keyword) or a number or duration, which starts with a digit. */
    private static final Pattern TOKEN = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*|[0-9][0-9a-zA-Z_.]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)");

    @Test
    void promtoolChecksTheRules() throws Exception {
        String out = promtool("check", "rules", RULES.toString());
        assertTrue(out.contains("SUCCESS: " + alerts().size() + " rules found"), out);
    }

    @Test
    void promtoolRunsTheRulesUnitTestsAndTheyPass() throws Exception {
        String out = promtool("test", "rules", RULE_TESTS.toString());
        assertTrue(out.contains("SUCCESS"), out);
        assertFalse(out.contains("FAILED"), out);
    }

    /** Each dashboard query, its Grafana variables replaced, becomes a recording rule that promtool parses. */
    @Test
    void promtoolParsesEveryDashboardQuery() throws Exception {
        List<String> queries = dashboardQueries();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < queries.size(); i++) {
            String expr = queries.get(i).replaceAll("\\$__(rate_)?interval", "5m").replaceAll("\\$\\{?\\w+}?", ".*");
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: ").append(json.writeValueAsString(expr)).append('\n');
        }
        Path file = HostScripts.targetDir("prometheus-it").resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        String out = promtool("check", "rules", file.toString());
        assertTrue(out.contains("SUCCESS: " + queries.size() + " rules found"), out);
    }

    @Test
    void everyMetricTheRulesNameIsOnePatchvisorWrites() throws IOException {
        Map<String, String> alerts = alerts();
        assertFalse(alerts.isEmpty());
        alerts.forEach((alert, expr) -> {
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), alert + " names no metric: " + expr);
            assertTrue(MetricNames.ALL.containsAll(names), alert + " names a metric patchvisor does not write: "
                    + names + " (" + MetricNames.ALL + ")");
        });
        JsonNode groups = yaml(RULES).path("groups");
        assertEquals(1, groups.size());
        assertEquals("patchvisor", groups.get(0).path("name").asText());
    }

    @Test
    void everyMetricTheDashboardNamesIsOnePatchvisorWritesAndItShowsThemAll() throws IOException {
        Set<String> shown = new TreeSet<>();
        for (String query : dashboardQueries()) {
            Set<String> names = metricNames(query);
            assertFalse(names.isEmpty(), "a query that names no metric: " + query);
            assertTrue(MetricNames.ALL.containsAll(names), "the dashboard names a metric patchvisor does not write: "
                    + names + " in " + query + " (" + MetricNames.ALL + ")");
            shown.addAll(names);
        }
        assertEquals(new TreeSet<>(MetricNames.ALL), shown, "metrics the dashboard shows");
    }

    @Test
    void everyPanelUsesTheDashboardsDataSourceVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion");
        List<String> sources = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            if (!panel.path("type").asText().equals("row")) {
                sources.add(panel.path("title").asText() + ": " + panel.path("datasource").path("uid").asText());
                panel.path("targets").forEach(t -> sources.add(panel.path("title").asText() + ": "
                        + t.path("datasource").path("uid").asText()));
            }
        }
        assertFalse(sources.isEmpty());
        sources.forEach(s -> assertTrue(s.endsWith(": " + DATASOURCE), s));
        JsonNode variable = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals("datasource")) {
                variable = v;
            }
        }
        assertTrue(variable != null && variable.path("type").asText().equals("datasource")
                && variable.path("query").asText().equals("prometheus"), "a Prometheus data source variable");
    }

    /** Each alert is tested where it fires and where it must not. */
    @Test
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItDoesNot() throws IOException {
        JsonNode tests = yaml(RULE_TESTS);
        assertEquals(List.of(RULES.getFileName().toString()), List.of(tests.path("rule_files").path(0).asText()));
        Set<String> fires = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode group : tests.path("tests")) {
            for (JsonNode test : group.path("alert_rule_test")) {
                (test.path("exp_alerts").isEmpty() ? silent : fires).add(test.path("alertname").asText());
            }
        }
        Set<String> alerts = alerts().keySet();
        assertEquals(alerts, fires, "alerts with a test where they fire");
        assertEquals(alerts, silent, "alerts with a test where they must not fire");
    }

    @Test
    void metricNamesAreTheSeriesAQueryReadsNotItsFunctionsLabelsOrKeywords() {
        assertEquals(Set.of("foo_total", "bar", "baz:ratio", "up_to_you"), metricNames("sum by (job, instance)"
                + " (rate(foo_total{a=\"b}\", c=~'d'}[5m] offset 1h)) / on(job) group_left(state) bar unless"
                + " time() - baz:ratio > bool 2 * 86400 and up_to_you{x=\"y\"} @ start()"));
        assertEquals(Set.of("up_to_you"), metricNames("max(up_to_you{x=\"y\"}) by (instance) > inf"));
    }

    /**
     * The metric names a PromQL expression reads: identifiers outside strings, label matchers, ranges and grouping
     * clauses that are neither a call nor a keyword. A name given as {@code __name__} is refused: it would hide
     * the metric from this check.
     */
    static Set<String> metricNames(String expr) {
        assertFalse(expr.contains("__name__"), "a metric named through __name__: " + expr);
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher token = TOKEN.matcher(bare);
        while (token.find()) {
            String word = token.group();
            boolean call = bare.substring(token.end()).stripLeading().startsWith("(");
            if (!Character.isDigit(word.charAt(0)) && !call && !KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** Each alert of the rules file with its expression, in file order. */
    private static Map<String, String> alerts() throws IOException {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (JsonNode group : yaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertTrue(rule.hasNonNull("alert"), "only alerting rules: " + rule);
                assertTrue(rule.path("labels").hasNonNull("severity"), rule.path("alert") + " has no severity");
                assertTrue(rule.path("annotations").hasNonNull("summary")
                        && rule.path("annotations").hasNonNull("description"), rule.path("alert") + " annotations");
                alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return alerts;
    }

    /**
     * Every query of the dashboard: each {@code expr} of a panel (rows' panels too) and each query variable's
     * (for {@code label_values(SELECTOR, LABEL)}, the selector).
     */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                Matcher labelValues = LABEL_VALUES.matcher(text.strip());
                queries.add(labelValues.matches() ? labelValues.group(1) : text);
            }
        }
        assertTrue(queries.size() >= MetricNames.ALL.size(), "queries found: " + queries);
        queries.forEach(q -> assertFalse(q.isBlank(), "an empty query in " + queries));
        return queries;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new YAMLMapper().readTree(file.toFile());
    }

    /** Runs the real promtool (skipped without it, a failure under CI); exit 0 or an exception with its output. */
    private static String promtool(String... args) throws IOException {
        Components.onThisMachine().requireFile(PROMTOOL.toString().substring(1), "promtool (package prometheus)");
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        return HostScripts.run(60, command.toArray(String[]::new));
    }
}
