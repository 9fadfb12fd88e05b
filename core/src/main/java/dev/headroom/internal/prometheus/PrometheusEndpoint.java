package dev.headroom.internal.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.headroom.Budget;
import dev.headroom.PressureLevel;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.runtime.HeadroomRuntime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@code prometheus=host:port} endpoint: {@code GET /metrics} renders the latest budget through
 * {@link PrometheusText}, i.e. the same {@code MeterCatalog} the Micrometer binding registers, so the
 * names are the same by construction. Built on the JDK's {@code com.sun.net.httpserver}; no
 * dependency.
 *
 * <p>It never samples: it serves the budget the sampler published last (a scrape costs one
 * rendering, never a cgroup read on the HTTP thread). It runs on one daemon thread (the server's
 * dispatcher, which handles requests itself) so it never keeps the application alive. A failure to
 * listen (port taken, unknown host) is reported once and the rest of Headroom carries on.
 */
public final class PrometheusEndpoint implements HeadroomRuntime.Publisher, AutoCloseable {
    /** The one path served. */
    public static final String PATH = "/metrics";
    private static final byte[] NOT_FOUND = "Headroom serves only GET /metrics\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_SAMPLE = "Headroom has not taken its first sample yet\n".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final Supplier<Budget> latest;
    private final Diagnostics diagnostics;

    private PrometheusEndpoint(HttpServer server, Supplier<Budget> latest, Diagnostics diagnostics) {
        this.server = server;
        this.latest = latest;
        this.diagnostics = diagnostics;
    }

    /**
     * Listens on {@code address} (unresolved is fine; host {@code 0.0.0.0} means every interface, port
     * 0 a free port) and serves {@code latest.get()}, which may return null before the first sample
     * (answered 503). Returns empty, after one {@code [headroom]} line naming the address and the
     * reason, when it cannot listen.
     */
    public static Optional<PrometheusEndpoint> start(InetSocketAddress address, Supplier<Budget> latest, Diagnostics diagnostics) {
        String where = address.getHostString() + ":" + address.getPort();
        InetSocketAddress bind = address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (bind.isUnresolved()) {
            diagnostics.once("prometheus:resolve", "Prometheus endpoint not started: host '" + address.getHostString()
                    + "' of prometheus=" + where + " does not resolve (use an address of this machine, or :PORT for all interfaces)");
            return Optional.empty();
        }
        HttpServer server;
        try {
            server = HttpServer.create(bind, 8);
        } catch (IOException | RuntimeException e) {
            diagnostics.once("prometheus:bind", "Prometheus endpoint not started: cannot listen on " + where + ": "
                    + Diagnostics.describe(e) + " (choose another port with prometheus=host:port; Headroom runs on without it)");
            return Optional.empty();
        }
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, latest, diagnostics);
        server.createContext("/", endpoint::handle);
        server.setExecutor(null); // requests are handled on the dispatcher thread itself: one thread in all
        if (!startOnDaemonThread(server, diagnostics)) {
            server.stop(0);
            return Optional.empty();
        }
        InetSocketAddress bound = server.getAddress();
        diagnostics.line("Prometheus endpoint on http://" + hostForUrl(bound) + ":" + bound.getPort() + PATH);
        return Optional.of(endpoint);
    }

    /** Where it listens (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Nothing to do per sample: a scrape reads the latest budget when it comes. */
    @Override
    public void budget(Budget budget) {
    }

    @Override
    public void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
    }

    /** Stops listening; called when Headroom closes. */
    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * The JDK's server starts its dispatcher as a thread that inherits the daemon flag of the thread
     * calling {@code start()} (sun.net.httpserver.ServerImpl); started from the application's main
     * thread it would keep the JVM alive after main returns. So start it from a daemon thread.
     */
    private static boolean startOnDaemonThread(HttpServer server, Diagnostics diagnostics) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                server.start();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "headroom-prometheus-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            diagnostics.once("prometheus:start", "Prometheus endpoint not started: interrupted while starting");
            return false;
        }
        if (failure.get() != null) {
            diagnostics.once("prometheus:start", "Prometheus endpoint not started: " + Diagnostics.describe(failure.get()));
            return false;
        }
        return true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, "text/plain; charset=utf-8", NOT_FOUND, method);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", NOT_FOUND, method);
                return;
            }
            Budget budget = latest.get();
            if (budget == null) {
                send(exchange, 503, "text/plain; charset=utf-8", NO_SAMPLE, method);
                return;
            }
            byte[] page;
            try {
                page = PrometheusText.render(budget).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                diagnostics.failure("Prometheus endpoint rendering", e);
                send(exchange, 500, "text/plain; charset=utf-8",
                        ("rendering failed: " + Diagnostics.describe(e) + "\n").getBytes(StandardCharsets.UTF_8), method);
                return;
            }
            send(exchange, 200, PrometheusText.CONTENT_TYPE, page, method);
        } catch (IOException e) {
            // the scraper hung up mid-response: nothing to report, the next scrape starts afresh
        } catch (RuntimeException e) {
            diagnostics.failure("Prometheus endpoint", e);
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body, String method) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String hostForUrl(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
