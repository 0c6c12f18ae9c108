package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.migrationplane.project.ProjectStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules (deploy/prometheus/migration-plane.rules.yml) and their copy for the Prometheus
 * Operator (deploy/kubernetes/prometheus-rule.yaml): the same groups in both, expressions that read only
 * metrics the service exports, every alert covered by the promtool tests beside the rules, and, where
 * promtool is on the PATH, {@code promtool check rules} and {@code promtool test rules}. No Quarkus.
 */
class PrometheusRulesTest {

    static final Path DIRECTORY = Path.of("deploy", "prometheus");
    static final Path RULES = DIRECTORY.resolve("migration-plane.rules.yml");
    static final Path TESTS = DIRECTORY.resolve("migration-plane.rules.test.yml");
    static final Path PROMETHEUS_RULE = Path.of("deploy", "kubernetes", "prometheus-rule.yaml");
    static final Duration PROMTOOL_TIMEOUT = Duration.ofMinutes(2);

    /** The series names on /q/metrics (Micrometer's Prometheus names: dots to underscores, counters end in _total). */
    static final Set<String> EXPORTED = Set.of(
            // issue 13 (docs/api.md, metrics)
            "migration_project_alert", // {project, name, alert}
            "migration_project_incremental_latency_seconds", // {project, name}
            // metrics.ProjectMetrics
            "migration_projects", // {status}
            // worker.WorkerSupervisor
            "migration_worker_tick_failures_total", "migration_worker_rows_migrated_total",
            "migration_worker_changes_applied_total", "migration_worker_lease_claims_total", "migration_worker_stops_total",
            "migration_worker_runs",
            // worker.PostgresRun, while a run of the PostgreSQL engine is live
            "migration_engine_slot_retained_bytes", "migration_engine_apply_latency_seconds", // {project}
            // security.VerifiedTokens
            "migration_tokens_total"); // {verification}
    /** The values of migration_project_alert's alert label. */
    static final Set<String> ALERT_TYPES = Set.of("LATENCY_HIGH", "STALLED", "FAILED");
    static final Set<String> SEVERITIES = Set.of("critical", "warning");
    /** PromQL words that look like names: operators, modifiers, literals. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
            "by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Pattern NAME = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private static JsonNode rules;
    private static JsonNode prometheusRule;
    private static JsonNode tests;

    @BeforeAll
    static void parse() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        rules = yaml.readTree(RULES.toFile());
        prometheusRule = yaml.readTree(PROMETHEUS_RULE.toFile());
        tests = yaml.readTree(TESTS.toFile());
    }

    private static List<JsonNode> alertingRules() {
        List<JsonNode> all = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(all::add));
        assertFalse(all.isEmpty(), "no rules in " + RULES);
        return all;
    }

    @Test
    void thePrometheusRuleCarriesTheRulesFilesGroupsUnchanged() {
        assertEquals("monitoring.coreos.com/v1", prometheusRule.path("apiVersion").asText());
        assertEquals("PrometheusRule", prometheusRule.path("kind").asText());
        assertEquals("migration-plane", prometheusRule.path("metadata").path("name").asText());
        assertTrue(rules.path("groups").isArray() && rules.path("groups").size() > 0, RULES + " has groups");
        assertEquals(rules.path("groups"), prometheusRule.path("spec").path("groups"),
                PROMETHEUS_RULE + " spec.groups must equal " + RULES + " groups: edit both");
        assertEquals(Set.of("groups"), fieldNames(rules), RULES + " is a plain rule file");
    }

    /** The names an expression reads: what is left once strings, matchers, ranges, grouping labels and calls are gone. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theNameExtractionSeesMetricsOnly() {
        assertEquals(Set.of("a_total", "b"), metricNames(
                "sum by (x, y) (rate(a_total{l=\"v}\", m=~\"by (z)\"}[5m] offset 1h)) / on (x) group_left (w) max without (q) (b) > bool 1e3"));
    }

    @Test
    void everyExpressionReadsOnlyMetricsTheServiceExports() {
        Pattern templated = Pattern.compile("migration_[a-z0-9_]+");
        Pattern alertLabel = Pattern.compile("\\balert\\s*=\\s*\"([^\"]*)\"");
        Pattern statusLabel = Pattern.compile("\\bstatus\\s*=\\s*\"([^\"]*)\"");
        Set<String> statuses = new TreeSet<>();
        for (ProjectStatus s : ProjectStatus.values()) {
            statuses.add(s.name());
        }
        statuses.add("DELETED"); // issue 13
        for (JsonNode rule : alertingRules()) {
            String name = rule.path("alert").asText();
            String expr = rule.path("expr").asText();
            Set<String> read = metricNames(expr);
            assertFalse(read.isEmpty(), name + " reads no metric: " + expr);
            for (String metric : read) {
                assertTrue(EXPORTED.contains(metric), name + " reads " + metric + ", which the service does not export");
            }
            Matcher alert = alertLabel.matcher(expr);
            while (alert.find()) {
                assertTrue(ALERT_TYPES.contains(alert.group(1)), name + ": alert=\"" + alert.group(1) + "\" is not an alert type");
            }
            Matcher status = statusLabel.matcher(expr);
            while (status.find()) {
                assertTrue(statuses.contains(status.group(1)), name + ": status=\"" + status.group(1) + "\" is not a status");
            }
            // The query in an annotation's template, too.
            rule.path("annotations").forEach(text -> {
                Matcher m = templated.matcher(text.asText());
                while (m.find()) {
                    assertTrue(EXPORTED.contains(m.group()), name + "'s annotations read " + m.group() + ", which the service does not export");
                }
            });
        }
    }

    @Test
    void everyAlertHasASeverityASummaryAndADescription() {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : alertingRules()) {
            String name = rule.path("alert").asText();
            assertTrue(name.matches("Migration[A-Za-z]+"), "an alerting rule, named Migration...: " + rule);
            assertTrue(names.add(name), "two alerts named " + name);
            assertTrue(SEVERITIES.contains(rule.path("labels").path("severity").asText()), name + " severity");
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name + " summary");
            assertTrue(rule.path("annotations").path("description").asText().length() > 80, name + " description says what to do");
        }
    }

    /** For every alert: a promtool test where it fires, fed by two replicas, and one where it does not. */
    @Test
    void thePromtoolTestsCoverEveryAlert() {
        assertEquals(RULES.getFileName().toString(), tests.path("rule_files").get(0).asText());
        Pattern instance = Pattern.compile("\\binstance\\s*=\\s*\"([^\"]*)\"");
        for (JsonNode rule : alertingRules()) {
            String name = rule.path("alert").asText();
            boolean fires = false;
            boolean silent = false;
            for (JsonNode test : tests.path("tests")) {
                Set<String> instances = new TreeSet<>();
                test.path("input_series").forEach(s -> {
                    Matcher m = instance.matcher(s.path("series").asText());
                    while (m.find()) {
                        instances.add(m.group(1));
                    }
                });
                for (JsonNode check : test.path("alert_rule_test")) {
                    if (name.equals(check.path("alertname").asText())) {
                        if (check.path("exp_alerts").size() > 0) {
                            fires = true;
                            assertTrue(instances.size() >= 2, name + " fires in a test fed by one replica only: " + instances);
                        } else {
                            silent = true;
                        }
                    }
                }
            }
            assertTrue(fires, "no promtool test in " + TESTS + " where " + name + " fires");
            assertTrue(silent, "no promtool test in " + TESTS + " where " + name + " does not fire");
        }
    }

    @Test
    void promtoolChecksAndTestsTheRules() throws Exception {
        String promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool != null, "promtool is not on the PATH: 'promtool check rules' and 'promtool test rules' "
                + "skipped (Debian: /usr/bin/promtool of the prometheus package; .ci/run installs it)");
        String check = promtool(promtool, "check", "rules", RULES.getFileName().toString());
        assertTrue(check.contains("SUCCESS"), check);
        String test = promtool(promtool, "test", "rules", TESTS.getFileName().toString());
        assertTrue(test.contains("SUCCESS"), test);
        System.out.println(check + test);
    }

    /** Runs promtool in deploy/prometheus (the test file names the rules relative to itself); its output, or a failure. */
    private static String promtool(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("promtool", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(PROMTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + PROMTOOL_TIMEOUT + ":\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), String.join(" ", command) + " (in " + DIRECTORY + "):\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }
}
