package dev.headroom.benchmarks.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The probe of issue 12 against a running Prometheus endpoint (loopback only): one client that sends a
 * byte and goes quiet while a scrape is made; 200 idle connections held open while five scrapes are
 * made; then three rounds of 500 clients at once. Prints how each scrape ended.
 *
 * <pre>
 * java -javaagent:agent/target/headroom-agent.jar=prometheus=127.0.0.1:19404 \
 *      -jar samples/leaky-app/target/leaky-app.jar --max 0 --hold 300 &amp;
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.PrometheusProbe --port 19404
 * </pre>
 */
public final class PrometheusProbe {
    private PrometheusProbe() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        int port = Integer.parseInt(Procs.arg(args, "port", "19404"));
        int timeout = Integer.parseInt(Procs.arg(args, "timeoutMillis", "5000"));
        int burst = Integer.parseInt(Procs.arg(args, "burst", "500"));

        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            slow.getOutputStream().write('G');
            Thread.sleep(300);
            long t = System.nanoTime();
            String r = scrape(port, timeout);
            System.out.println("one client sent a byte and went quiet; a scrape: " + r + " in " + (System.nanoTime() - t) / 1_000_000 + " ms");
        }

        List<Socket> idle = new ArrayList<>();
        try {
            int connected = 0;
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                idle.add(s);
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                    connected++;
                } catch (IOException refused) {
                    // counted by its absence
                }
            }
            Thread.sleep(300);
            Map<String, Integer> tally = new TreeMap<>();
            for (int i = 0; i < 5; i++) {
                tally.merge(scrape(port, timeout), 1, Integer::sum);
            }
            System.out.println("200 idle connections (" + connected + " connected); five scrapes: " + tally);
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }

        for (int round = 0; round < 3; round++) {
            ExecutorService pool = Executors.newFixedThreadPool(burst);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> all = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    all.add(pool.submit(() -> {
                        go.await();
                        return scrape(port, 30_000);
                    }));
                }
                long t = System.nanoTime();
                go.countDown();
                Map<String, Integer> tally = new TreeMap<>();
                for (Future<String> f : all) {
                    tally.merge(f.get(), 1, Integer::sum);
                }
                System.out.println(burst + " clients at once, round " + (round + 1) + ": " + tally + " in "
                        + (System.nanoTime() - t) / 1_000_000 + " ms");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** One GET on a new connection: {@code 200} with a page of meters, else the status or the exception's name. */
    static String scrape(int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (r.startsWith("HTTP/1.1 200") && r.contains("headroom_")) {
                return "200";
            }
            return r.length() >= 12 ? "status " + r.substring(9, 12) : "no response";
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }
}
