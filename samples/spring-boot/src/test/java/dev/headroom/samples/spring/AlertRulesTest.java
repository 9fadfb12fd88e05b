package dev.headroom.samples.spring;

import dev.headroom.metrics.MeterCatalog;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules in samples/prometheus: promtool accepts them and passes their unit tests (synthetic series
 * that must and must not fire each alert, and the recording rules' outputs), the PrometheusRule
 * manifest carries the very same groups, every alert has the annotations a runbook-driven on-call
 * needs with a runbook that exists in docs/alerts.md, and every meter they name is in the catalog.
 */
class AlertRulesTest {
    // Recording-rule names (level:metric:operations) are taken out before meters are looked for.
    private static final Pattern RECORDED = Pattern.compile("\\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\\b");
    private static final Pattern METER = Pattern.compile("\\bheadroom_[a-z0-9_]+\\b");

    private final Path rules = PrometheusServer.rulesFile();

    @Test
    void promtoolChecksTheRulesAndPassesTheirUnitTests() throws Exception {
        Path promtool = PrometheusServer.onPath("promtool").orElse(null);
        Assumptions.assumeTrue(promtool != null,
                "promtool is not installed (Debian's prometheus package carries it; .ci/run installs it): the rules are not run");
        Path tests = rules.resolveSibling("headroom-rules.test.yml");
        String check = promtool(promtool, "check", "rules", rules.toString());
        assertTrue(check.contains("SUCCESS"), check);
        String run = promtool(promtool, "test", "rules", tests.toString());
        assertTrue(run.contains("SUCCESS"), run);
        System.out.println("[rules] " + check.strip().replace('\n', ' ') + "; " + run.strip().replace('\n', ' '));
    }

    @Test
    void thePrometheusRuleManifestCarriesTheSameGroups() throws IOException {
        Path manifest = Paths.get(System.getProperty("headroom.test.prometheusRule", "../kubernetes/headroom-prometheusrule.yaml"));
        Map<String, Object> operator = load(manifest);
        assertEquals("monitoring.coreos.com/v1", operator.get("apiVersion"));
        assertEquals("PrometheusRule", operator.get("kind"));
        assertEquals(groups(load(rules)), groups(map(operator.get("spec"))),
                manifest + " must carry exactly the groups of " + rules + ": change both");
    }

    @Test
    void everyAlertSaysHowBadWhatAndWhereTheRunbookIs() throws IOException {
        Path doc = Paths.get(System.getProperty("headroom.test.docs", "../../docs")).resolve("alerts.md");
        Set<String> anchors = anchors(Files.readString(doc));
        List<String> alerts = new ArrayList<>();
        for (Map<String, Object> rule : rules(load(rules))) {
            if (!rule.containsKey("alert")) {
                continue;
            }
            String name = (String) rule.get("alert");
            alerts.add(name);
            Object severity = map(rule.get("labels")).get("severity");
            assertTrue(Set.of("critical", "warning", "info").contains(severity), name + " severity: " + severity);
            Map<String, Object> annotations = map(rule.get("annotations"));
            for (String key : List.of("summary", "description", "runbook_url")) {
                assertFalse(String.valueOf(annotations.getOrDefault(key, "")).isBlank(), name + " has no " + key);
            }
            assertTrue(String.valueOf(annotations.get("description")).contains("onstraint"),
                    name + ": the description must name the binding constraint");
            String runbook = (String) annotations.get("runbook_url");
            assertEquals("docs/alerts.md#" + name.toLowerCase(Locale.ROOT), runbook, name);
            assertTrue(anchors.contains(name.toLowerCase(Locale.ROOT)), doc + " has no section " + name);
        }
        assertEquals(List.of("HeadroomMemoryCritical", "HeadroomTimeToLimitShort", "HeadroomOOMKill",
                "HeadroomHeapDumpWritten", "HeadroomGcCpuCapHit", "HeadroomSoftLimitExceeded"), alerts);
    }

    @Test
    void theRulesNameOnlyMetersTheCatalogPublishes() throws IOException {
        Set<String> catalog = new TreeSet<>();
        MeterCatalog.all().forEach(m -> catalog.add(m.prometheusName()));
        Set<String> named = new TreeSet<>();
        for (Map<String, Object> rule : rules(load(rules))) {
            // Expressions, and the queries the annotations run.
            String text = RECORDED.matcher(rule.get("expr") + " " + rule.getOrDefault("annotations", "")).replaceAll(" ");
            Matcher m = METER.matcher(text);
            while (m.find()) {
                named.add(m.group());
            }
        }
        assertFalse(named.isEmpty());
        named.removeAll(catalog);
        assertTrue(named.isEmpty(), "meters no one publishes: " + named);
    }

    private static String promtool(Path promtool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
        return out;
    }

    /** The heading anchors GitHub makes: lower case, spaces to hyphens, other punctuation dropped. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new TreeSet<>();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
                out.add(title.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        return out;
    }

    private static Map<String, Object> load(Path file) throws IOException {
        return map(new Yaml().load(Files.readString(file)));
    }

    private static List<Object> groups(Map<String, Object> doc) {
        Object groups = doc.get("groups");
        assertTrue(groups instanceof List<?> l && !l.isEmpty(), "no groups: " + doc);
        return list(groups);
    }

    private static List<Map<String, Object>> rules(Map<String, Object> doc) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object g : groups(doc)) {
            list(map(g).get("rules")).forEach(r -> out.add(map(r)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "not a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "not a list: " + o);
        return (List<Object>) o;
    }
}
