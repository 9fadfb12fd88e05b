package dev.headroom.micrometer;

import dev.headroom.Budget;
import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.metrics.MeterCatalog;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real scrape through micrometer-registry-prometheus: the names the catalog promises are the names
 * Micrometer prints, the agent's own renderer prints the same series with the same values, and
 * Prometheus' linter accepts both pages.
 */
class PrometheusScrapeTest {

    static String scrape(Budget budget) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new HeadroomMetrics(() -> budget, Tags.empty()).bindTo(registry);
        return registry.scrape();
    }

    @Test
    void everyCatalogNameIsTheNameMicrometerPrints() {
        String page = scrape(SampleBudgets.full());
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            String type = m.type() == MeterCatalog.Type.COUNTER ? "counter" : "gauge";
            assertTrue(page.contains("# TYPE " + m.prometheusName() + " " + type + "\n"),
                    m.name() + " should be " + m.prometheusName() + " in\n" + page);
        }
    }

    @Test
    void theAgentsRendererPrintsTheSameSeriesAsMicrometer() {
        for (Budget b : new Budget[] {SampleBudgets.full(), SampleBudgets.noController()}) {
            assertEquals(series(scrape(b)), series(PrometheusText.render(b)));
        }
    }

    @Test
    void promtoolAcceptsBothPages() throws Exception {
        Path promtool = Promtool.find().orElse(null);
        Assumptions.assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus); skipping the lint");
        for (String page : new String[] {scrape(SampleBudgets.full()), PrometheusText.render(SampleBudgets.full())}) {
            Promtool.Result r = Promtool.checkMetrics(promtool, page);
            assertEquals(0, r.exitCode(), r.output() + "\n---\n" + page);
            assertEquals("", r.output().trim(), "lint findings:\n" + r.output());
        }
    }

    /** Every series line as name{labels sorted} value, values normalised to doubles. */
    static Set<String> series(String page) {
        Set<String> out = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String id = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            int brace = id.indexOf('{');
            String name = brace < 0 ? id : id.substring(0, brace);
            Set<String> labels = new TreeSet<>();
            if (brace >= 0) {
                for (String l : id.substring(brace + 1, id.length() - 1).split(",")) {
                    labels.add(l);
                }
            }
            out.add(name + labels + " " + value);
        }
        return out;
    }
}
