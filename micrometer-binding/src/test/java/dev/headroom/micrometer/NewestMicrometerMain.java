package dev.headroom.micrometer;

import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.metrics.MeterCatalog;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Run in a forked JVM whose class path carries another Micrometer than the build's: binds the
 * binder to a SimpleMeterRegistry and a PrometheusMeterRegistry of that version and prints what
 * it saw. Exits non-zero (a stack trace) on any linkage or registration failure.
 */
public final class NewestMicrometerMain {
    private NewestMicrometerMain() {
    }

    public static void main(String[] args) {
        System.out.println("micrometer=" + MeterRegistry.class.getPackage().getImplementationVersion());
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        HeadroomMetrics metrics = new HeadroomMetrics(SampleBudgets::full, Tags.of("app", "newest"));
        metrics.bindTo(simple);
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            for (Meter meter : simple.find(m.name()).meters()) {
                double v = meter.measure().iterator().next().getValue();
                System.out.println("meter " + meter.getId().getName() + " " + meter.getId().getTags()
                        + " unit=" + meter.getId().getBaseUnit() + " value=" + v);
            }
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(prometheus);
        System.out.println("---- scrape");
        System.out.print(prometheus.scrape());
        System.out.println("---- end");
        metrics.close();
        System.out.println("after close: " + simple.getMeters().size() + " " + prometheus.getMeters().size());
    }
}
