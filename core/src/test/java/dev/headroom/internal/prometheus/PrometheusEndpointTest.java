package dev.headroom.internal.prometheus;

import dev.headroom.Budget;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.metrics.MeterCatalog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusEndpointTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(PrometheusEndpoint e, String path, String method) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + e.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheCatalogForTheLatestBudgetAndNothingElse() throws Exception {
        AtomicReference<Budget> latest = new AtomicReference<>();
        try (PrometheusEndpoint e = PrometheusEndpoint.start(InetSocketAddress.createUnresolved("127.0.0.1", 0), latest::get, diagnostics)
                .orElseThrow()) {
            assertEquals(503, get(e, "/metrics", "GET").statusCode(), "no sample yet");

            Budget budget = SampleBudgets.full();
            latest.set(budget);
            HttpResponse<String> r = get(e, "/metrics", "GET");
            assertEquals(200, r.statusCode());
            assertEquals(Optional.of(PrometheusText.CONTENT_TYPE), r.headers().firstValue("Content-Type"));
            assertEquals(PrometheusText.render(budget), r.body(), "the page is the catalog's rendering, byte for byte");
            for (MeterCatalog.Meter m : MeterCatalog.all()) {
                if (!m.samples(budget).isEmpty()) {
                    assertTrue(r.body().contains("# TYPE " + m.prometheusName() + " "), m.prometheusName());
                }
            }
            assertEquals(404, get(e, "/", "GET").statusCode());
            assertEquals(404, get(e, "/metrics/x", "GET").statusCode());
            assertEquals(405, get(e, "/metrics", "POST").statusCode());
            HttpResponse<String> head = get(e, "/metrics", "HEAD");
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("[headroom] Prometheus endpoint on http://127.0.0.1:"), err.toString());
    }

    @Test
    void aTakenPortIsReportedOnceAndNothingThrows() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress same = InetSocketAddress.createUnresolved("127.0.0.1", taken.getLocalPort());
            assertTrue(PrometheusEndpoint.start(same, () -> null, diagnostics).isEmpty());
            assertTrue(PrometheusEndpoint.start(same, () -> null, diagnostics).isEmpty());
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().filter(l -> l.contains("cannot listen on 127.0.0.1:")).count(), out);
    }

    @Test
    void anUnknownHostIsReportedAndNothingThrows() {
        assertTrue(PrometheusEndpoint.start(InetSocketAddress.createUnresolved("no-such-host.invalid", 0), () -> null, diagnostics).isEmpty());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not resolve"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theServerThreadIsADaemonSoItNeverKeepsTheApplicationAlive() throws Exception {
        try (PrometheusEndpoint e = PrometheusEndpoint.start(InetSocketAddress.createUnresolved("127.0.0.1", 0), () -> null, diagnostics)
                .orElseThrow()) {
            get(e, "/metrics", "GET");
            java.util.List<Thread> mine = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("headroom-prometheus")).toList();
            assertTrue(mine.size() >= 2, "the I/O thread and a worker: " + mine);
            assertTrue(mine.stream().allMatch(Thread::isDaemon), "every endpoint thread is a daemon: " + mine);
        }
    }
}
