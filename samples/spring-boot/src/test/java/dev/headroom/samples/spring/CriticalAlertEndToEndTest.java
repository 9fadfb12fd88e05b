package dev.headroom.samples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: the sample service in a limited memory cgroup is driven to CRITICAL, and a real
 * Prometheus that scrapes it with samples/prometheus/headroom-rules.yml loaded shows
 * HeadroomMemoryCritical pending (its 2m for: has not run out) for that target, with a description
 * that names the binding constraint it read through the annotation's query.
 *
 * <p>CRITICAL comes from direct memory, the quickest limit to reach on purpose: 52 MiB of direct
 * buffers under a 64 MiB MaxDirectMemorySize is 81%, past the critical-at of 75% given here and short
 * of the 98% where the JVM would throw. The 768 MiB cgroup is there so nothing can take the machine.
 */
class CriticalAlertEndToEndTest {

    @Test
    void criticalPressureMakesTheCriticalAlertPendingInARealPrometheus(@TempDir Path tmp) throws Exception {
        Optional<Path> prometheus = PrometheusServer.onPath("prometheus");
        Assumptions.assumeTrue(prometheus.isPresent(),
                "Prometheus is not installed (apt-get install prometheus; .ci/run does it): the alert is not run end to end");
        CgroupSupport.requireAvailable();

        int appPort = PrometheusServer.freePort();
        long started = System.nanoTime();
        try (MemoryCgroup cgroup = MemoryCgroup.create("critical-alert", 768L << 20);
             ForkedJvm jvm = PrometheusServer.sampleApp("sample-critical", appPort, "-Xmx128m", "-XX:MaxDirectMemorySize=64m")
                     .args("--headroom.warn-at=50%", "--headroom.critical-at=75%")
                     .in(cgroup).start()) {
            String app = "http://127.0.0.1:" + appPort;
            PrometheusServer.awaitHttp(app + "/actuator/health", jvm);
            try (PrometheusServer server = PrometheusServer.start(prometheus.get(), tmp,
                    List.of(PrometheusServer.job("sample", appPort, "/actuator/prometheus")), List.of(PrometheusServer.rulesFile()))) {
                server.awaitQuery("headroom_pressure_level{job=\"sample\"} == 0", 1, Duration.ofSeconds(30));
                assertTrue(critical(server.awaitAlerts("the alerts", Duration.ofSeconds(5), JsonNode::isArray)) == null,
                        "HeadroomMemoryCritical before any pressure");

                PrometheusServer.post(app + "/cache?mb=52&kind=direct");
                JsonNode alerts = server.awaitAlerts("HeadroomMemoryCritical pending or firing for job sample", Duration.ofSeconds(30),
                        a -> critical(a) != null);
                JsonNode alert = critical(alerts);
                String description = alert.path("annotations").path("description").asText();
                System.out.println("[alert] " + alert.path("state").asText() + " after " + Duration.ofNanos(System.nanoTime() - started).toSeconds()
                        + " s: " + alert.path("labels") + " " + description);
                assertTrue(description.contains("Binding constraint: direct_memory at "), description);
                assertTrue(alert.path("labels").path("severity").asText().equals("critical"), alert.toString());
            }
        }
    }

    private static JsonNode critical(JsonNode alerts) {
        for (JsonNode a : alerts) {
            JsonNode labels = a.path("labels");
            if (labels.path("alertname").asText().equals("HeadroomMemoryCritical") && labels.path("job").asText().equals("sample")
                    && (a.path("state").asText().equals("pending") || a.path("state").asText().equals("firing"))) {
                return a;
            }
        }
        return null;
    }
}
