/**
 * Headroom's meters in a Micrometer registry: {@link dev.headroom.micrometer.HeadroomMetrics} binds every
 * meter of the public {@link dev.headroom.metrics.MeterCatalog}. Values are read from the latest budget
 * on whatever thread the registry reads them (a scrape); series that appear later are registered from
 * the {@code headroom-listeners} thread. Built on the public API alone, which its
 * {@code ApiBoundaryTest} holds it to.
 */
package dev.headroom.micrometer;
