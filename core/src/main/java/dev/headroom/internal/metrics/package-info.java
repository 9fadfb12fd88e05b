/**
 * The public {@link dev.headroom.metrics.MeterCatalog} rendered without Micrometer:
 * {@link dev.headroom.internal.metrics.PrometheusNames} gives each meter the name Micrometer's
 * Prometheus naming convention would, and {@link dev.headroom.internal.metrics.PrometheusText} writes
 * a budget as a Prometheus text page (format 0.0.4), for the agent's {@code prometheus=} endpoint.
 * Renderers layer: pure functions of a budget, no state, no thread, callable from any thread.
 */
package dev.headroom.internal.metrics;
