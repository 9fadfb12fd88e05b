package dev.headroom.internal.prometheus;

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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that open a connection and never finish a request must not stop scrapes. Loopback sockets
 * only, a bounded number, each test bounded in time by the socket timeouts of its scrapes (a scrape
 * that hangs fails after {@link Scrapes#SCRAPE_TIMEOUT_MS}, a generous bound for a loaded machine).
 */
class SlowClientsTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);

    private PrometheusEndpoint start() {
        return PrometheusEndpoint.start(InetSocketAddress.createUnresolved("127.0.0.1", 0), SampleBudgets::full, diagnostics)
                .orElseThrow();
    }

    @Test
    void aClientThatSendsOneByteAndFallsSilentDoesNotBlockScrapes() throws Exception {
        try (PrometheusEndpoint e = start(); Socket slow = new Socket(InetAddress.getLoopbackAddress(), e.address().getPort())) {
            slow.getOutputStream().write('G');
            slow.getOutputStream().flush();
            Thread.sleep(200); // let the server see the byte before the scrape comes
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Scrapes.status(e.address().getPort(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            }
        }
    }

    @Test
    void aScrapeSucceedsWhileTwoHundredIdleSocketsAreHeldOpen() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (PrometheusEndpoint e = start()) {
            try {
                for (int i = 0; i < 200; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), e.address().getPort()), Scrapes.SCRAPE_TIMEOUT_MS);
                    idle.add(s);
                }
                assertEquals(200, Scrapes.status(e.address().getPort(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
                // Half of them now send a partial request and stop: still no effect on a scrape.
                for (int i = 0; i < idle.size(); i += 2) {
                    idle.get(i).getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
                }
                assertEquals(200, Scrapes.status(e.address().getPort(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
        assertTrue(!err.toString(StandardCharsets.UTF_8).contains("failed"), err.toString(StandardCharsets.UTF_8));
    }

    /** Raw HTTP over a loopback socket with a read timeout, so a hung server fails the test instead of hanging it. */
    static final class Scrapes {
        static final int SCRAPE_TIMEOUT_MS = 20_000;

        private Scrapes() {
        }

        /** The status code of the response to {@code request}; the socket is closed afterwards. */
        static int status(int port, String request) throws IOException {
            return Integer.parseInt(exchange(port, request).substring(9, 12));
        }

        /** The whole response text (head and body) to one request (not HEAD: the body is read by its Content-Length). */
        static String exchange(int port, String request) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), SCRAPE_TIMEOUT_MS);
                s.setSoTimeout(SCRAPE_TIMEOUT_MS);
                OutputStream out = s.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return readResponse(s.getInputStream());
            }
        }

        /** One response: the head, then Content-Length bytes of body. */
        static String readResponse(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                head.write(c);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.")) {
                throw new IOException("no HTTP response: '" + text + "'");
            }
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }
}
