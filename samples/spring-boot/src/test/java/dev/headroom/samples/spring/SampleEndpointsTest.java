package dev.headroom.samples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headroom.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample as its docs describe it (docs/spring.md, the class comments): the real application on a
 * random port, every documented endpoint asked over HTTP, asserting what a user relies on. The main
 * classes are the ones the build compiled, so a build that drops {@code -parameters} fails here with
 * the 500 a user would see on {@code POST /cache}.
 */
class SampleEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ConfigurableApplicationContext app;

    @BeforeAll
    static void start() {
        app = SpringApplication.run(SampleApplication.class, "--server.port=0", "--server.address=127.0.0.1",
                "--headroom.quiet=true", "--headroom.interval=200ms", "--logging.level.root=WARN",
                // The levels depend on the machine running the tests (a CI container near its limit would
                // be CRITICAL, and readiness would refuse); the endpoints' answers are what is checked here.
                "--headroom.warn-at=off", "--headroom.critical-at=off",
                // the cap is small so a test can reach it without holding much memory
                "--sample.cache.max-mb=48");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void cacheGrowsByKindIsCappedAndClears() throws Exception {
        send("DELETE", "/cache");
        assertEquals(json("{\"heapMb\":0,\"directMb\":0,\"maxMb\":48}"), body(send("GET", "/cache"), 200));

        // The documented default: 16 MiB of heap.
        JsonNode grown = body(send("POST", "/cache"), 200);
        assertEquals(16, grown.path("heapMb").asInt(), grown.toString());
        grown = body(send("POST", "/cache?mb=8&kind=direct"), 200);
        assertEquals(16, grown.path("heapMb").asInt(), grown.toString());
        assertEquals(8, grown.path("directMb").asInt(), grown.toString());
        assertEquals(grown, body(send("GET", "/cache"), 200));

        JsonNode refused = body(send("POST", "/cache?mb=64"), 400);
        assertEquals("cache is capped at 48 MiB", refused.path("error").asText(), refused.toString());
        assertEquals(24, refused.path("heldMb").asInt(), refused.toString());

        assertEquals(json("{\"heapMb\":0,\"directMb\":0,\"maxMb\":48}"), body(send("DELETE", "/cache"), 200));
    }

    @Test
    void directCacheShowsUpInTheHeadroomEndpoint() throws Exception {
        send("DELETE", "/cache");
        body(send("POST", "/cache?mb=16&kind=direct"), 200);
        long postedAt = System.currentTimeMillis();
        try {
            // The endpoint shows the budget the sampler published last: wait for one sampled after the POST
            // that holds the 16 MiB (the earlier test's buffers, let go but not yet collected, are at most 8).
            JsonNode budget = Await.until(Duration.ofSeconds(30), "the 16 MiB in the direct buffer pool of /actuator/headroom",
                    () -> body(send("GET", "/actuator/headroom"), 200),
                    b -> b.path("time").asLong() >= postedAt && directBytes(b) >= 16 * MIB);
            assertTrue(budget.path("workingSetBytes").asLong() > 0, budget.toString());
            boolean listed = false;
            for (JsonNode c : budget.path("budget").path("components")) {
                listed |= c.path("name").asText().equals("direct_buffers") && c.path("bytes").asLong() >= 16 * MIB;
            }
            assertTrue(listed, "the budget lists the direct buffers: " + budget.path("budget").path("components"));
        } finally {
            send("DELETE", "/cache");
        }
    }

    @Test
    void healthProbesAndPrometheusAnswerAsDocumented() throws Exception {
        JsonNode health = body(send("GET", "/actuator/health"), 200);
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("components").path("headroom").path("details").has("level"), health.toString());
        assertEquals("UP", body(send("GET", "/actuator/health/liveness"), 200).path("status").asText());
        assertEquals("UP", body(send("GET", "/actuator/health/readiness"), 200).path("status").asText());

        HttpResponse<String> prom = send("GET", "/actuator/prometheus");
        assertEquals(200, prom.statusCode());
        assertTrue(prom.body().contains("headroom_memory_working_set_bytes{application=\"headroom-sample\""), prom.body());
        assertTrue(prom.body().contains("jvm_memory_used_bytes{"), "Spring's own jvm.* meters beside ours");
    }

    /**
     * What samples/kubernetes/spring-boot.yaml points Kubernetes and Prometheus at, asked of this
     * running sample: every probe path, the annotations' and the PodMonitor's scrape path, on the
     * port the sample listens on.
     */
    @Test
    void theKubernetesManifestsProbesAndScrapePathsAreServed() throws Exception {
        Manifests.Doc deployment = Manifests.only("spring-boot.yaml", "Deployment");
        Map<String, Object> container = Manifests.list(deployment.podSpec(), "containers").get(0);
        Map<String, Object> port = Manifests.list(container, "ports").get(0);
        Map<String, Object> config;
        try (InputStream in = SampleApplication.class.getResourceAsStream("/application.yaml")) {
            config = new Yaml().load(in);
        }
        assertEquals(Manifests.map(config, "server").get("port"), port.get("containerPort"), "the container port is server.port");
        List<String> probed = new ArrayList<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> get = Manifests.map(container, probe, "httpGet");
            assertEquals(port.get("name"), get.get("port"), probe + " asks the http port");
            probed.add((String) get.get("path"));
        }
        assertEquals(List.of("/actuator/health/liveness", "/actuator/health/liveness", "/actuator/health/readiness"), probed,
                "liveness stays out of memory pressure, readiness is the group HeadroomReadiness changes (docs/spring.md)");
        for (String path : probed) {
            assertEquals("UP", body(send("GET", path), 200).path("status").asText(), path);
        }

        Map<String, Object> annotations = Manifests.map(deployment.yaml(), "spec", "template", "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(port.get("containerPort")), annotations.get("prometheus.io/port"));
        Map<String, Object> endpoint = Manifests.list(Manifests.map(Manifests.only("spring-boot.yaml", "PodMonitor").yaml(), "spec"),
                "podMetricsEndpoints").get(0);
        assertEquals(port.get("name"), endpoint.get("port"));
        assertEquals(annotations.get("prometheus.io/path"), endpoint.get("path"), "one scrape path, whichever way Prometheus finds the pod");
        HttpResponse<String> scrape = send("GET", (String) endpoint.get("path"));
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().contains("headroom_memory_working_set_bytes"), scrape.body());
    }

    private static long directBytes(JsonNode budget) {
        for (JsonNode pool : budget.path("jvm").path("bufferPools")) {
            if (pool.path("name").asText().equals("direct")) {
                return pool.path("usedBytes").asLong();
            }
        }
        throw new AssertionError("no direct buffer pool in " + budget.path("jvm"));
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode body(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.request().method() + " " + response.request().uri() + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
