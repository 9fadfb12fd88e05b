/**
 * The {@code prometheus=host:port} endpoint: {@link dev.headroom.internal.prometheus.PrometheusEndpoint}
 * answers {@code GET /metrics} with the latest budget the sampler published, rendered by
 * {@link dev.headroom.internal.metrics.PrometheusText}; a scrape never samples. Served by
 * {@code Responder}, a small HTTP/1.1 server of its own: one daemon I/O thread
 * ({@code headroom-prometheus}) on non-blocking sockets with per-connection deadlines and a bounded
 * number of connections, and up to two daemon workers ({@code headroom-prometheus-worker-N}, ended
 * when idle) for authentication and rendering. Optional TLS ({@code TlsTransport}, an
 * {@code SSLEngine}) and basic or bearer authentication ({@code Access}). Endpoints layer, the top:
 * started by the runtime on the sampler thread and closed with it. Why not the JDK's HTTP server:
 * docs/prometheus-endpoint.md.
 */
package dev.headroom.internal.prometheus;
