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
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus server (Debian's package; 127.0.0.1 only, a free port, its own data directory,
 * stopped at the end) scrapes the sample application, and the agent's own endpoint when the agent jar
 * is built and serves one. Every expression of the Grafana dashboard is then asked through Prometheus'
 * HTTP API: each must parse, name only meters that exist (ours from the catalog, or ones the scrape
 * shows), and return data, unless a meter it needs is one this machine cannot back (e.g. PSI on cgroup
 * v1), which is printed. So the dashboard cannot drift from the meters.
 */
class DashboardQueriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\b((?:headroom|jvm)_[a-z0-9_]+)\\b");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyDashboardExpressionReturnsDataFromARealPrometheus(@TempDir Path tmp) throws Exception {
        Optional<Path> prometheus = onPath("prometheus");
        Assumptions.assumeTrue(prometheus.isPresent(),
                "Prometheus is not installed (apt-get install prometheus; .ci/run does it): the dashboard is not checked");
        Path dashboard = Paths.get(System.getProperty("headroom.test.dashboard", "../grafana/headroom-dashboard.json"));
        List<String> expressions = expressions(JSON.readTree(dashboard.toFile()));
        assertTrue(expressions.size() >= 10, "dashboard expressions: " + expressions);

        int appPort = freePort();
        int agentPort = freePort();
        int promPort = freePort();
        Optional<Path> agentJar = usableAgentJar();
        ForkedJvm.Builder app = ForkedJvm.builder("sample-spring-boot")
                .jvmArgs("-Xmx128m", "-XX:NativeMemoryTracking=summary")
                .mainClass(SampleApplication.class)
                .args("--server.port=" + appPort, "--server.address=127.0.0.1", "--headroom.interval=500ms",
                        "--headroom.quiet=true", "--logging.level.root=WARN");
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
            awaitHttp("http://127.0.0.1:" + appPort + "/actuator/health", jvm);
            List<String> targets = new ArrayList<>();
            targets.add(job("sample", appPort, "/actuator/prometheus"));
            // Started with Headroom, before the application answered: a short wait is enough.
            boolean agentServes = answers("http://127.0.0.1:" + agentPort + "/metrics", Duration.ofSeconds(3));
            if (agentServes) {
                targets.add(job("headroom-endpoint", agentPort, "/metrics"));
            } else {
                System.out.println("[dashboard] Headroom's own endpoint not scraped: nothing answered on prometheus=127.0.0.1:"
                        + agentPort + (agentJar.isEmpty() ? " (no usable agent jar at " + System.getProperty("headroom.test.agentJar")
                        + "; asked the starter instead)" : " (agent jar attached)"));
            }
            Set<String> scraped = new TreeSet<>(metricNames(fetch("http://127.0.0.1:" + appPort + "/actuator/prometheus")));
            if (agentServes) {
                scraped.addAll(metricNames(fetch("http://127.0.0.1:" + agentPort + "/metrics")));
            }

            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                    + String.join("", targets));
            Process server = new ProcessBuilder(prometheus.get().toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
            try {
                String api = "http://127.0.0.1:" + promPort + "/api/v1/query?query=";
                awaitQuery(api, "up == 1", targets.size(), server, tmp);
                awaitQuery(api, "count_over_time(headroom_memory_working_set_bytes[1m]) >= 5", 1, server, tmp);

                Set<String> catalog = new TreeSet<>();
                MeterCatalog.all().forEach(m -> catalog.add(m.prometheusName()));
                List<String> noDataHere = new ArrayList<>();
                int withData = 0;
                for (String expr : expressions) {
                    String promql = expr.replace("$__rate_interval", "30s").replace("$job", ".+").replace("$instance", ".+");
                    Set<String> names = names(promql);
                    for (String n : names) {
                        assertTrue(catalog.contains(n) || scraped.contains(n),
                                "dashboard names a meter that no one publishes: " + n + " in " + expr);
                    }
                    if (query(api, promql) > 0) {
                        withData++;
                        continue;
                    }
                    // Empty is fine only when a catalog meter it needs has no series at all right now: this
                    // machine cannot back it (or, like time to limit, it is absent while memory is flat).
                    Set<String> unbacked = new TreeSet<>();
                    for (String n : names) {
                        if (catalog.contains(n) && query(api, n) == 0) {
                            unbacked.add(n);
                        }
                    }
                    if (unbacked.isEmpty() && query(api, promql) == 0) {
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
            } finally {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
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
            assertFalse(panel.path("description").asText().isBlank(), "panel without a description: " + panel.path("title"));
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

    private static String job(String name, int port, String path) {
        return "  - job_name: " + name + "\n    metrics_path: " + path + "\n    static_configs:\n      - targets: ['127.0.0.1:" + port + "']\n";
    }

    /** Series an instant query returns; fails on a query Prometheus rejects. */
    private int query(String api, String promql) throws IOException, InterruptedException {
        JsonNode r = JSON.readTree(fetch(api + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        assertEquals("success", r.path("status").asText(), promql + " -> " + r);
        return r.path("data").path("result").size();
    }

    private void awaitQuery(String api, String promql, int atLeast, Process server, Path tmp) throws IOException {
        try {
            Await.until(Duration.ofSeconds(60), "prometheus to answer " + promql + " with " + atLeast + " series", () -> {
                if (!server.isAlive()) {
                    fail("prometheus exited");
                }
                return JSON.readTree(fetch(api + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
            }, r -> r.path("data").path("result").size() >= atLeast);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(tmp.resolve("prometheus.log")), e);
        }
    }

    private void awaitHttp(String url, ForkedJvm jvm) {
        try {
            Await.until(Duration.ofSeconds(90), "the sample application to answer " + url, () -> {
                if (!jvm.isAlive()) {
                    fail("the sample application exited");
                }
                return fetch(url);
            }, body -> true);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + jvm.stderr() + jvm.stdout(), e);
        }
    }

    private boolean answers(String url, Duration wait) {
        return Await.within(wait, () -> fetch(url) != null);
    }

    private String fetch(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && r.statusCode() != 503) {
            throw new IOException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Optional<Path> onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Paths.get(dir, binary);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
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
