/**
 * The {@code prometheus=host:port} endpoint: {@link dev.headroom.internal.prometheus.PrometheusEndpoint}
 * answers {@code GET /metrics} with the latest budget the sampler published, rendered by
 * {@link dev.headroom.internal.metrics.PrometheusText}; a scrape never samples. Built on the JDK's
 * HTTP server with one daemon thread, its dispatcher, which handles the requests itself (started from a
 * short-lived daemon thread, {@code headroom-prometheus-start}, so the dispatcher is a daemon too).
 * Endpoints layer, the top: started by the runtime on the sampler thread and closed with it.
 */
package dev.headroom.internal.prometheus;
