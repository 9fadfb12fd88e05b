package dev.headroom.samples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headroom.testkit.Await;
import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * samples/kubernetes/spring-boot.yaml keeps its word: the sample service with the manifest's container
 * env ({@code JAVA_TOOL_OPTIONS}) in a real memory cgroup of the manifest's limit, driven to CRITICAL
 * through its own {@code POST /cache}. The manifest's comments promise that the readiness probe's path
 * then answers 503 (the starter's HeadroomReadiness has made readiness REFUSING_TRAFFIC, which the
 * actuator reports as OUT_OF_SERVICE) before the kernel kills anything, and that liveness, which
 * memory pressure is never a reason to restart, stays UP.
 *
 * <p>Only the port is mapped (a free one on 127.0.0.1 instead of the container's 8080); the Headroom
 * settings are the sample's application.yaml, as in the image.
 */
class SpringBootManifestReplayTest {
    private static final long MIB = 1L << 20;

    @Test
    void atCriticalReadinessRefusesTrafficBeforeAnyKernelKillAndLivenessStaysUp() throws Exception {
        CgroupSupport.requireAvailable();
        Map<String, Object> container = Manifests.list(Manifests.only("spring-boot.yaml", "Deployment").podSpec(), "containers").get(0);
        assertTrue(!container.containsKey("command") && !container.containsKey("args"),
                "the replay passes the container's env only; the image's own command runs: " + container);
        String readiness = (String) Manifests.map(container, "readinessProbe", "httpGet").get("path");
        String liveness = (String) Manifests.map(container, "livenessProbe", "httpGet").get("path");
        long limit = bytes((String) Manifests.map(container, "resources", "limits").get("memory"));

        int port = PrometheusServer.freePort();
        ForkedJvm.Builder service = PrometheusServer.sampleService("spring-boot-manifest", port);
        List<String> env = new ArrayList<>();
        for (Map<String, Object> e : Manifests.list(container, "env")) {
            service.env((String) e.get("name"), String.valueOf(e.get("value")));
            env.add(e.get("name") + "=" + e.get("value"));
        }
        assertTrue(env.contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=60"), "the manifest's JVM options: " + env);

        try (MemoryCgroup cgroup = MemoryCgroup.create("spring-boot-manifest", limit);
             ForkedJvm jvm = service.in(cgroup).start()) {
            String app = "http://127.0.0.1:" + port;
            PrometheusServer.awaitHttp(app + liveness, jvm);
            // Spring Boot declares the service ready only after it started to answer (ApplicationReadyEvent).
            Await.until(Duration.ofSeconds(30), "readiness 200 before any pressure", () -> PrometheusServer.exchange("GET", app + readiness).statusCode(),
                    status -> status == 200);

            // The documented default step, 16 MiB of heap, until readiness refuses or the sample's cap
            // (sample.cache.max-mb, 272) answers 400. Each step waits for the level the watch and the
            // sampler (1 s, application.yaml) set from it.
            HttpResponse<String> probe = null;
            int held = 0;
            while (true) {
                probe = awaitReadiness(app + readiness, jvm, Duration.ofSeconds(3));
                if (probe.statusCode() == 503) {
                    break;
                }
                HttpResponse<String> grown = PrometheusServer.exchange("POST", app + "/cache");
                if (grown.statusCode() == 400) {
                    // At the cap: the heap is all the cache can give; the level has its last chance.
                    probe = awaitReadiness(app + readiness, jvm, Duration.ofSeconds(30));
                    break;
                }
                assertEquals(200, grown.statusCode(), grown.body() + context(jvm));
                held = PrometheusServer.JSON.readTree(grown.body()).path("heapMb").asInt();
            }
            System.out.println("[spring-boot.yaml] readiness " + probe.statusCode() + " " + probe.body() + " with " + held
                    + " MiB in the cache; " + jvm.stdout().stream().filter(l -> l.contains("pressure CRITICAL")).findFirst().orElse("")
                    + "\n[spring-boot.yaml] the constraints then: " + constraints(app));
            assertEquals(0, cgroup.oomKills(), "the kernel killed nothing" + context(jvm));
            assertTrue(jvm.isAlive(), "the service runs" + context(jvm));
            assertEquals(503, probe.statusCode(), "readiness refuses at CRITICAL, with " + held + " MiB in the cache: "
                    + probe.body() + context(jvm));
            assertEquals("OUT_OF_SERVICE", PrometheusServer.JSON.readTree(probe.body()).path("status").asText(), probe.body());
            HttpResponse<String> live = PrometheusServer.exchange("GET", app + liveness);
            JsonNode liveBody = PrometheusServer.JSON.readTree(live.body());
            assertEquals(200, live.statusCode(), "liveness is not memory pressure's business: " + live.body());
            assertEquals("UP", liveBody.path("status").asText(), live.body());
            // The starter logs through the application's logging (Spring Boot's console: stdout).
            assertTrue(String.join("\n", jvm.stdout()).contains("Headroom: readiness REFUSING_TRAFFIC (pressure level CRITICAL"),
                    "the starter refused traffic because of the level" + context(jvm));
        }
    }

    /** Readiness as soon as it answers 503, or as it answers when {@code wait} has passed. */
    private static HttpResponse<String> awaitReadiness(String url, ForkedJvm jvm, Duration wait) throws Exception {
        Await.within(wait, () -> !jvm.isAlive() || PrometheusServer.exchange("GET", url).statusCode() == 503);
        assertTrue(jvm.isAlive(), "the service runs" + context(jvm));
        return PrometheusServer.exchange("GET", url);
    }

    /** Each constraint of the budget /actuator/headroom shows: name, used and nextUsed of the limit, in MiB. */
    private static String constraints(String app) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : PrometheusServer.JSON.readTree(PrometheusServer.fetch(app + "/actuator/headroom")).path("budget").path("constraints")) {
            sb.append(String.format(Locale.ROOT, "%s %.1f (next %.1f) of %.1f MiB; ", c.path("name").asText(), c.path("used").asLong() / (double) MIB,
                    c.path("nextUsed").asLong() / (double) MIB, c.path("limit").asLong() / (double) MIB));
        }
        return sb.toString();
    }

    /** A Kubernetes memory quantity in Mi or Gi, in bytes. */
    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertTrue(m.matches(), "a limit in Mi or Gi: " + quantity);
        return Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 * MIB : MIB);
    }

    private static String context(ForkedJvm jvm) {
        return "\n--- stderr\n" + String.join("\n", jvm.stderr()) + "\n--- stdout\n" + String.join("\n", jvm.stdout());
    }
}
