package dev.headroom.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headroom.Headroom;
import dev.headroom.PressureLevel;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real Spring Boot application on a random port, asked over HTTP like Kubernetes and Prometheus do. */
class RunningApplicationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    static ConfigurableApplicationContext boot(String... extra) {
        String[] base = {"--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                "--management.endpoints.web.exposure.include=health,headroom,prometheus",
                "--management.endpoint.health.show-details=always", "--management.endpoint.health.probes.enabled=true",
                "--headroom.quiet=true", "--headroom.interval=200ms"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return SpringApplication.run(App.class, args);
    }

    HttpResponse<String> get(ConfigurableApplicationContext ctx, String path) throws Exception {
        String port = ctx.getEnvironment().getProperty("local.server.port");
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthEndpointAndPrometheusOverHttp() throws Exception {
        try (ConfigurableApplicationContext ctx = boot("--headroom.warn-at=off", "--headroom.critical-at=off")) {
            HttpResponse<String> health = get(ctx, "/actuator/health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode headroom = JSON.readTree(health.body()).path("components").path("headroom");
            assertEquals("UP", headroom.path("status").asText(), health.body());
            assertEquals("OK", headroom.path("details").path("level").asText());
            assertTrue(headroom.path("details").path("workingSetBytes").asLong() > 0);

            HttpResponse<String> endpoint = get(ctx, "/actuator/headroom");
            assertEquals(200, endpoint.statusCode(), endpoint.body());
            JsonNode budget = JSON.readTree(endpoint.body());
            // The schema of report --json (docs/schema.md), key for key.
            assertEquals(List.of("time", "cgroup", "limitBytes", "usageBytes", "workingSetBytes", "headroomBytes", "errors",
                    "budget", "governor", "who", "jvm", "process"), fieldNames(budget), endpoint.body());
            assertTrue(budget.path("time").asLong() > 0, endpoint.body());
            assertTrue(budget.path("workingSetBytes").asLong() > 0, endpoint.body());
            assertEquals("OK", budget.path("governor").path("level").asText());
            JsonNode components = budget.path("budget").path("components");
            assertTrue(components.isArray() && components.size() > 0, endpoint.body());
            assertTrue(components.get(0).has("source"));
            assertTrue(budget.path("cgroup").has("version") && budget.path("jvm").has("collector"), endpoint.body());
            assertTrue(budget.has("limitBytes"), "unknown figures are present as null, not missing");
            assertTrue(budget.path("budget").path("recommendation").has("maxHeapBytes"), "null until available, not missing");

            HttpResponse<String> prom = get(ctx, "/actuator/prometheus");
            assertEquals(200, prom.statusCode());
            assertTrue(prom.body().contains("\nheadroom_memory_working_set_bytes "), prom.body());
            assertTrue(prom.body().contains("\nheadroom_pressure_level 0.0\n") || prom.body().contains("\nheadroom_pressure_level 0\n"), prom.body());
            assertTrue(prom.body().contains("jvm_memory_used_bytes{"), "Spring's own jvm.* meters sit beside ours");
            assertFalse(prom.body().contains("headroom_jvm_"), "we never re-publish jvm.*");
        }
    }

    @Test
    void atCriticalTheHealthIsOutOfServiceAndReadinessRefusesTraffic() throws Exception {
        try (ConfigurableApplicationContext ctx = boot("--headroom.warn-at=512k", "--headroom.critical-at=1m",
                "--headroom.readiness.enabled=true")) {
            HeadroomAutoConfigurationTest.awaitLevel(ctx.getBean(Headroom.class), PressureLevel.CRITICAL);
            HttpResponse<String> health = get(ctx, "/actuator/health");
            assertEquals(503, health.statusCode(), health.body());
            assertEquals("OUT_OF_SERVICE", JSON.readTree(health.body()).path("components").path("headroom").path("status").asText());

            // SpringApplication declared ACCEPTING_TRAFFIC after start-up; Headroom's refusal still stands.
            HttpResponse<String> readiness = get(ctx, "/actuator/health/readiness");
            assertEquals(503, readiness.statusCode(), readiness.body());
            assertEquals("OUT_OF_SERVICE", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
            HttpResponse<String> liveness = get(ctx, "/actuator/health/liveness");
            assertEquals(200, liveness.statusCode(), "memory pressure is no reason to restart: " + liveness.body());

            HttpResponse<String> prom = get(ctx, "/actuator/prometheus");
            assertTrue(prom.body().contains("\nheadroom_pressure_level 2"), prom.body());
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
