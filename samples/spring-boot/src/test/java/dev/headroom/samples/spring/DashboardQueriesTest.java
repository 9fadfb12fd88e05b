package dev.headroom.samples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headroom.metrics.MeterCatalog;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus server ({@link PrometheusServer}: Debian's package, 127.0.0.1 only, a free port, its
 * own data directory, stopped at the end, the rules of samples/prometheus loaded) scrapes the sample
 * application, and the agent's own endpoint when the agent jar is built and serves one. Every
 * expression of the Grafana dashboard is then asked through Prometheus' HTTP API: each must parse,
 * name only meters that exist (ours from the catalog, or ones the scrape shows), and return data,
 * unless a meter it needs is one this machine cannot back (e.g. PSI on cgroup v1), which is printed.
 * So the dashboard cannot drift from the meters, nor its fleet panels from the recording rules.
 */
class DashboardQueriesTest {
    private static final ObjectMapper JSON = PrometheusServer.JSON;
    private static final Pattern METRIC = Pattern.compile("\\b((?:headroom|jvm)_[a-z0-9_]+)\\b");

    @Test
    void everyDashboardExpressionReturnsDataFromARealPrometheus(@TempDir Path tmp) throws Exception {
        Optional<Path> prometheus = PrometheusServer.onPath("prometheus");
        Assumptions.assumeTrue(prometheus.isPresent(),
                "Prometheus is not installed (apt-get install prometheus; .ci/run does it): the dashboard is not checked");
        Path dashboard = Paths.get(System.getProperty("headroom.test.dashboard", "../grafana/headroom-dashboard.json"));
        List<String> expressions = expressions(JSON.readTree(dashboard.toFile()));
        assertTrue(expressions.size() >= 10, "dashboard expressions: " + expressions);

        int appPort = PrometheusServer.freePort();
        int agentPort = PrometheusServer.freePort();
        Optional<Path> agentJar = usableAgentJar();
        ForkedJvm.Builder app = PrometheusServer.sampleApp("sample-spring-boot", appPort, "-Xmx128m", "-XX:NativeMemoryTracking=summary");
        // Headroom's own endpoint (no Micrometer): from the agent when its jar is built, else started by
        // Headroom.start from the starter's headroom.prometheus property.
        if (agentJar.isPresent()) {
            app.agent(agentJar.get(), "prometheus=127.0.0.1:" + agentPort + ",quiet=true");
        } else {
            app.args("--headroom.prometheus=127.0.0.1:" + agentPort);
        }

        // In a limited child cgroup when this machine can make one, so the limit, headroom, memory.high
        // (v1: the soft limit) and soft-limit panels are backed by real readings, not excused.
        MemoryCgroup cgroup = null;
        if (CgroupSupport.location().isPresent()) {
            cgroup = MemoryCgroup.create("dashboard", 768L << 20);
            cgroup.write(cgroup.version() == 2 ? "memory.high" : "memory.soft_limit_in_bytes", Long.toString(640L << 20));
            app.in(cgroup).args("--headroom.soft-limit=600m");
        } else {
            System.out.println("[dashboard] not in a limited cgroup (" + CgroupSupport.unavailableReason()
                    + "): limit-based panels may have no data");
        }

        try (MemoryCgroup limited = cgroup; ForkedJvm jvm = app.start()) {
            if (limited != null) {
                System.out.println("[dashboard] sample app runs in " + limited.dir() + " (768 MiB limit)");
            }
            PrometheusServer.awaitHttp("http://127.0.0.1:" + appPort + "/actuator/health", jvm);
            List<String> targets = new ArrayList<>();
            targets.add(PrometheusServer.job("sample", appPort, "/actuator/prometheus"));
            // Started with Headroom, before the application answered: a short wait is enough.
            boolean agentServes = Await.within(Duration.ofSeconds(3),
                    () -> PrometheusServer.fetch("http://127.0.0.1:" + agentPort + "/metrics") != null);
            if (agentServes) {
                targets.add(PrometheusServer.job("headroom-endpoint", agentPort, "/metrics"));
            } else {
                System.out.println("[dashboard] Headroom's own endpoint not scraped: nothing answered on prometheus=127.0.0.1:"
                        + agentPort + (agentJar.isEmpty() ? " (no usable agent jar at " + System.getProperty("headroom.test.agentJar")
                        + "; asked the starter instead)" : " (agent jar attached)"));
            }
            Set<String> scraped = new TreeSet<>(metricNames(PrometheusServer.fetch("http://127.0.0.1:" + appPort + "/actuator/prometheus")));
            if (agentServes) {
                scraped.addAll(metricNames(PrometheusServer.fetch("http://127.0.0.1:" + agentPort + "/metrics")));
            }

            // The rules file too: the fleet panels read its recording rules.
            try (PrometheusServer server = PrometheusServer.start(prometheus.get(), tmp, targets,
                    List.of(PrometheusServer.rulesFile()))) {
                server.awaitQuery("up == 1", targets.size(), Duration.ofSeconds(60));
                server.awaitQuery("count_over_time(headroom_memory_working_set_bytes[1m]) >= 5", 1, Duration.ofSeconds(60));

                Set<String> catalog = new TreeSet<>();
                MeterCatalog.all().forEach(m -> catalog.add(m.prometheusName()));
                List<String> noDataHere = new ArrayList<>();
                int withData = 0;
                for (String expr : expressions) {
                    // "All" of the application variable is .* so that targets without the label (the agent's) match.
                    String promql = expr.replace("$__rate_interval", "30s").replace("$job", ".+").replace("$instance", ".+")
                            .replace("$application", ".*");
                    Set<String> names = names(promql);
                    for (String n : names) {
                        assertTrue(catalog.contains(n) || scraped.contains(n),
                                "dashboard names a meter that no one publishes: " + n + " in " + expr);
                    }
                    if (server.query(promql) > 0) {
                        withData++;
                        continue;
                    }
                    // Empty is fine only when a catalog meter it needs has no series at all right now: this
                    // machine cannot back it (or, like time to limit, it is absent while memory is flat).
                    Set<String> unbacked = new TreeSet<>();
                    for (String n : names) {
                        if (catalog.contains(n) && server.query(n) == 0) {
                            unbacked.add(n);
                        }
                    }
                    if (unbacked.isEmpty() && server.query(promql) == 0) {
                        fail("no data for " + expr + " although every meter it uses has series: " + names);
                    }
                    if (unbacked.isEmpty()) {
                        withData++;
                        continue;
                    }
                    noDataHere.add(expr + "  (not backed here: " + unbacked + ")");
                }
                System.out.println("[dashboard] " + withData + " of " + expressions.size() + " expressions returned data");
                noDataHere.forEach(e -> System.out.println("[dashboard] no data on this machine: " + e));
                assertTrue(withData >= expressions.size() / 2, "most of the dashboard must show data: " + noDataHere);
            }
        }
    }

    /** Every PromQL expression of the dashboard: panel targets, and the metric of each label_values() variable. */
    static List<String> expressions(JsonNode dashboard) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.add(t.path("expr").asText());
            }
            // Rows are headers that fold panels away; every panel that shows data says what it shows.
            if (!panel.path("type").asText().equals("row")) {
                assertFalse(panel.path("description").asText().isBlank(), "panel without a description: " + panel.path("title"));
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");
        for (JsonNode v : dashboard.path("templating").path("list")) {
            Matcher m = labelValues.matcher(v.path("definition").asText());
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        return new ArrayList<>(out);
    }

    static Set<String> names(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Metric family names on a scraped page, summaries and counters folded to their base names as PromQL sees them. */
    static Set<String> metricNames(String page) {
        Set<String> names = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                    end++;
                }
                names.add(line.substring(0, end));
            }
        }
        return names;
    }

    /** The built agent jar, if its manifest names a Premain-Class the jar really contains. */
    private static Optional<Path> usableAgentJar() {
        Path jar = Paths.get(System.getProperty("headroom.test.agentJar", "../../agent/target/headroom-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try (JarFile f = new JarFile(jar.toFile())) {
            String premain = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Premain-Class");
            return premain != null && f.getEntry(premain.replace('.', '/') + ".class") != null ? Optional.of(jar) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
