package dev.headroom.samples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.ForkedJvm;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus server (Debian's package) for the samples' tests: 127.0.0.1 only, a free port, its
 * own data directory under the test's temporary directory, 1 s scrape and rule evaluation, stopped by
 * {@link #close()}. Also the plain HTTP the tests need to reach the sample application.
 */
final class PrometheusServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    private final String base;

    private PrometheusServer(Process process, Path log, String base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Starts Prometheus with these scrape jobs (see {@link #job}) and rule files.
     *
     * @param dir a directory of the test's own: the configuration, data and log go there
     */
    static PrometheusServer start(Path binary, Path dir, List<String> jobs, List<Path> ruleFiles) throws IOException {
        int port = freePort();
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            config.append("rule_files:\n");
            ruleFiles.forEach(f -> config.append("  - '").append(f.toAbsolutePath()).append("'\n"));
        }
        config.append("scrape_configs:\n").append(String.join("", jobs));
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PrometheusServer(p, log, "http://127.0.0.1:" + port);
    }

    /** A scrape job of one target on this machine. */
    static String job(String name, int port, String path) {
        return "  - job_name: " + name + "\n    metrics_path: " + path + "\n    static_configs:\n      - targets: ['127.0.0.1:" + port + "']\n";
    }

    /** Series an instant query returns; fails on a query Prometheus rejects. */
    int query(String promql) throws IOException, InterruptedException {
        JsonNode r = JSON.readTree(fetch(queryUrl(promql)));
        assertEquals("success", r.path("status").asText(), promql + " -> " + r);
        return r.path("data").path("result").size();
    }

    /** Waits until an instant query returns at least {@code atLeast} series; the log is in the failure. */
    void awaitQuery(String promql, int atLeast, Duration timeout) throws IOException {
        await("prometheus to answer " + promql + " with " + atLeast + " series", timeout,
                () -> JSON.readTree(fetch(queryUrl(promql))), r -> r.path("data").path("result").size() >= atLeast);
    }

    /** Waits until {@code done} accepts the active alerts (pending and firing) of {@code /api/v1/alerts}. */
    JsonNode awaitAlerts(String what, Duration timeout, Predicate<JsonNode> done) throws IOException {
        return await(what, timeout, () -> JSON.readTree(fetch(base + "/api/v1/alerts")).path("data").path("alerts"), done);
    }

    private JsonNode await(String what, Duration timeout, Await.Probe<JsonNode> probe, Predicate<JsonNode> done)
            throws IOException {
        try {
            return Await.until(timeout, what, () -> {
                if (!process.isAlive()) {
                    fail("prometheus exited");
                }
                return probe.get();
            }, done::test);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(log), e);
        }
    }

    private String queryUrl(String promql) {
        return base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
    }

    // No InterruptedException in the signature: try-with-resources would have to handle it (javac -Xlint).
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The body of a GET; 503 counts as an answer (a health endpoint at CRITICAL). */
    static String fetch(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), url);
    }

    static String post(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), url);
    }

    /** A request without a body, answered whatever its status (a probe's 503, a capped cache's 400). */
    static HttpResponse<String> exchange(String method, String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String send(HttpRequest request, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && r.statusCode() != 503) {
            throw new IOException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Waits until the forked application answers {@code url}; its output is in the failure. */
    static void awaitHttp(String url, ForkedJvm jvm) {
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Optional<Path> onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Paths.get(dir, binary);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The sample's rules file, as the build passes it (or found from the module's directory). */
    static Path rulesFile() {
        return Paths.get(System.getProperty("headroom.test.rules", "../prometheus/headroom-rules.yml"));
    }

    /** The sample service forked with the settings both Prometheus tests use. */
    static ForkedJvm.Builder sampleApp(String name, int port, String... jvmArgs) {
        return sampleService(name, port).jvmArgs(jvmArgs)
                .args("--headroom.interval=500ms", "--headroom.quiet=true", "--logging.level.root=WARN");
    }

    /** The sample service forked as it is configured (application.yaml), but on this port of 127.0.0.1. */
    static ForkedJvm.Builder sampleService(String name, int port) {
        return ForkedJvm.builder(name)
                .mainClass(SampleApplication.class)
                .args("--server.port=" + port, "--server.address=127.0.0.1");
    }
}
