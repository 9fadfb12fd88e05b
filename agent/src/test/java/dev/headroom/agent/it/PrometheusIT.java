package dev.headroom.agent.it;

import dev.headroom.testkit.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code prometheus=host:port} in a real JVM started with the real jar. */
class PrometheusIT {
    private static final Pattern ENDPOINT = Pattern.compile("\\[headroom] Prometheus endpoint on (http://\\S+/metrics)");

    @Test
    void servesMetricsInTheTextFormatAndNeverKeepsTheApplicationAlive() throws Exception {
        try (ForkedJvm jvm = ForkedJvm.builder("prometheus").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                .args("wait", "4000").agent(BuiltAgentJar.path(), "prometheus=127.0.0.1:0,interval=200ms").start()) {
            Optional<String> line = jvm.awaitStderr(l -> ENDPOINT.matcher(l).find(), Duration.ofSeconds(20));
            assertTrue(line.isPresent(), "no endpoint line: " + jvm.stderr());
            Matcher m = ENDPOINT.matcher(line.get());
            assertTrue(m.find());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(Optional.of("text/plain; version=0.0.4; charset=utf-8"), r.headers().firstValue("Content-Type"));
            assertTrue(r.body().contains("# TYPE headroom_memory_working_set_bytes gauge"), r.body());
            assertTrue(r.body().lines().anyMatch(l -> l.matches("headroom_memory_working_set_bytes \\d+")), r.body());
            for (String l : r.body().split("\n")) {
                assertTrue(l.startsWith("# HELP headroom_") || l.startsWith("# TYPE headroom_") || l.matches("headroom_[a-z_]+(\\{.*})? \\S+"),
                        "not a text-format line of ours: " + l);
            }
            // main returns after 4 s: the endpoint's thread must not keep the JVM alive
            ForkedJvm.Result end = jvm.waitFor(Duration.ofSeconds(30));
            assertEquals(0, end.exitCode(), end.describe());
            assertTrue(!end.timedOut(), end.describe());
        }
    }

    @Test
    void aPortInUseIsReportedOnceAndTheApplicationRuns() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            try (ForkedJvm jvm = ForkedJvm.builder("prometheus-taken").classpath(AppClasspath.get()).mainClass(HelloApp.class)
                    .args("wait", "2000").agent(BuiltAgentJar.path(), "prometheus=127.0.0.1:" + taken.getLocalPort() + ",interval=100ms").start()) {
                ForkedJvm.Result r = jvm.waitFor(Duration.ofSeconds(30));
                assertEquals(0, r.exitCode(), r.describe());
                assertEquals(1, r.stderr().stream().filter(l -> l.startsWith("[headroom]") && l.contains("cannot listen on 127.0.0.1:"
                        + taken.getLocalPort())).count(), r.describe());
            }
        }
    }
}
