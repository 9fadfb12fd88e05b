/**
 * Public API: the catalogue of every meter Headroom publishes ({@link dev.headroom.metrics.MeterCatalog}),
 * each with its name, type, unit, description, tags and how to read it from a {@link dev.headroom.Budget}.
 * The Micrometer binding, the agent's Prometheus endpoint and the docs' meter table all read this one
 * list, and so may an application's own exporter. Pure data over an immutable budget: no thread,
 * no state, safe from any thread.
 */
package dev.headroom.metrics;
