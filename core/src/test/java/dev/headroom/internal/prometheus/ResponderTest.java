package dev.headroom.internal.prometheus;

import dev.headroom.Budget;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP/1.1 side: malformed requests, deadlines, the connection cap, keep-alive and pipelining, failures inside. */
class ResponderTest {
    /** Short deadlines so a test sees them fire; the checks below allow far longer on a loaded machine. */
    private static final Responder.Limits SHORT = new Responder.Limits(8, 16, Duration.ofMillis(700), Duration.ofMillis(700),
            Duration.ofMillis(700), 1024, 2, 4);

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);

    private PrometheusEndpoint start(Responder.Limits limits, Supplier<Budget> latest) {
        return PrometheusEndpoint.start(InetSocketAddress.createUnresolved("127.0.0.1", 0), null, Access.open(), limits, latest, diagnostics)
                .orElseThrow();
    }

    private static int status(PrometheusEndpoint e, String request) throws IOException {
        return SlowClientsTest.Scrapes.status(e.address().getPort(), request);
    }

    @Test
    void malformedRequestsGet400AndNothingEscapes() throws Exception {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("GARBAGE\r\n\r\n", 400);
        cases.put("GET /metrics\r\n\r\n", 400);
        cases.put("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\n\r\n", 400); // no Host
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", 505);
        cases.put("GET /metrics HTTPS/1.1\r\nHost: x\r\n\r\n", 400);
        cases.put("GET metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        cases.put("GET /met\u0001rics HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\n folded: y\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nno-colon\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n", 400);
        cases.put("\u00ff\u00fe\u0000\u0001\r\n\r\n", 400);
        cases.put("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2000) + "\r\n\r\n", 431);
        try (PrometheusEndpoint e = start(SHORT, SampleBudgets::full)) {
            for (Map.Entry<String, Integer> c : cases.entrySet()) {
                String response = SlowClientsTest.Scrapes.exchange(e.address().getPort(), c.getKey());
                assertEquals(c.getValue(), Integer.parseInt(response.substring(9, 12)), c.getKey() + " -> " + response);
                assertTrue(response.contains("\r\nConnection: close\r\n"), "closed after a malformed request: " + response);
            }
            // What a lenient reading still serves: a bare LF, an empty line first, an absolute target, a query, HTTP/1.0.
            assertEquals(200, status(e, "GET /metrics HTTP/1.1\nHost: x\n\n"));
            assertEquals(200, status(e, "\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(200, status(e, "GET http://x:9404/metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(200, status(e, "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(200, status(e, "GET /metrics HTTP/1.0\r\n\r\n"));
            assertEquals(404, status(e, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(405, status(e, "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("error in"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailureWhileRenderingIsA500ReportedOnceAndServingGoesOn() throws Exception {
        int[] calls = {0};
        Supplier<Budget> flaky = () -> {
            if (calls[0]++ < 2) {
                throw new IllegalStateException("boom");
            }
            return SampleBudgets.full();
        };
        try (PrometheusEndpoint e = start(Responder.Limits.DEFAULTS, flaky)) {
            assertEquals(500, status(e, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(500, status(e, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(200, status(e, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().filter(l -> l.contains("boom")).count(), out);
    }

    @Test
    void aSilentOrSlowConnectionIsClosedAtItsDeadline() throws Exception {
        try (PrometheusEndpoint e = start(SHORT, SampleBudgets::full);
             Socket idle = connect(e); Socket slow = connect(e)) {
            slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, idle.getInputStream().read(), "the server closed the idle connection");
            assertEquals(-1, slow.getInputStream().read(), "the server closed the connection whose request did not complete");
        }
    }

    @Test
    void beyondTheConnectionCapTheLongestSilentGoesAndAScrapeStillSucceeds() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (PrometheusEndpoint e = start(new Responder.Limits(4, 16, Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 1024, 2, 4), SampleBudgets::full)) {
            for (int i = 0; i < 4; i++) {
                idle.add(connect(e));
            }
            // Past the age at which a silent connection may make room (a burst's newcomers are never pushed out).
            Thread.sleep(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(Responder.EVICTABLE_AFTER_NANOS) + 500);
            assertEquals(200, status(e, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(-1, idle.get(0).getInputStream().read(), "the oldest idle connection made room");
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aBurstFiveTimesTheConnectionCapIsServedInFullNotPushedOut() throws Exception {
        Responder.Limits small = new Responder.Limits(8, 16, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
                1024, 2, 8);
        try (PrometheusEndpoint e = start(small, SampleBudgets::full)) {
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(40);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Integer>> all = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    all.add(clients.submit(() -> {
                        go.await();
                        return status(e, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<Integer> f : all) {
                    assertEquals(200, f.get());
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void keepAliveServesPipelinedRequestsInOrderAndHttp10Closes() throws Exception {
        try (PrometheusEndpoint e = start(Responder.Limits.DEFAULTS, SampleBudgets::full); Socket s = connect(e)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String first = SlowClientsTest.Scrapes.readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n") && first.contains("headroom_"), first);
            assertTrue(first.matches("(?s).*\r\nDate: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n.*"),
                    "an IMF-fixdate (RFC 9110 5.6.7): " + first.substring(0, 120));
            assertFalse(first.contains("Connection: close"), first);
            assertTrue(SlowClientsTest.Scrapes.readResponse(in).startsWith("HTTP/1.1 404 "));
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: "), head);
            out.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String last = SlowClientsTest.Scrapes.readResponse(in);
            assertTrue(last.startsWith("HTTP/1.1 200 OK\r\n") && last.contains("Connection: close"), last);
            assertEquals(-1, in.read(), "closed as asked");
            String ten = SlowClientsTest.Scrapes.exchange(e.address().getPort(), "GET /metrics HTTP/1.0\r\n\r\n");
            assertTrue(ten.contains("Connection: close"), "HTTP/1.0 without keep-alive: " + ten);
        }
    }

    private static Socket connect(PrometheusEndpoint e) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), e.address().getPort()), SlowClientsTest.Scrapes.SCRAPE_TIMEOUT_MS);
        s.setSoTimeout(SlowClientsTest.Scrapes.SCRAPE_TIMEOUT_MS);
        return s;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
