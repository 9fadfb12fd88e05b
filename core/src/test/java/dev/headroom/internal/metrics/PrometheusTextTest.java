package dev.headroom.internal.metrics;

import dev.headroom.metrics.MeterCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void rendersHelpTypeAndSeriesForEveryBackedMeter() {
        String page = PrometheusText.render(SampleBudgets.full());
        assertTrue(page.contains("# HELP headroom_memory_working_set_bytes Working set, what Kubernetes judges"), page);
        assertTrue(page.contains("# TYPE headroom_memory_working_set_bytes gauge\nheadroom_memory_working_set_bytes 387973120\n"), page);
        assertTrue(page.contains("# TYPE headroom_memory_oom_kills_total counter\nheadroom_memory_oom_kills_total 7\n"), page);
        assertTrue(page.contains("headroom_memory_pressure_stalled_seconds_total{kind=\"some\"} 2.5\n"), page);
        assertTrue(page.contains("headroom_nmt_committed_bytes{category=\"Java Heap\"} 209715200\n"), page);
        assertTrue(page.contains("headroom_heap_dumps_total{outcome=\"refused\"} 2\n"), page);
        assertTrue(page.endsWith("\n"));
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            assertTrue(page.contains("# TYPE " + m.prometheusName() + " "), m.name());
        }
    }

    @Test
    void leavesOutWhatTheBudgetCannotBack() {
        String page = PrometheusText.render(SampleBudgets.noController());
        assertFalse(page.contains("headroom_memory_limit_bytes"), page);
        assertFalse(page.contains("headroom_nmt_"), page);
        assertTrue(page.contains("headroom_memory_working_set_bytes 62914560\n"), page);
    }

    @Test
    void escapesHelpAndLabelValuesAndSpellsSpecialValues() {
        StringBuilder sb = new StringBuilder();
        PrometheusText.escapeLabelValue("a\\b\"c\nd", sb);
        assertEquals("a\\\\b\\\"c\\nd", sb.toString());
        sb.setLength(0);
        PrometheusText.escapeHelp("x\\y\"z\n", sb);
        assertEquals("x\\\\y\"z\\n", sb.toString());
        List<String> values = List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 42.0, 0.5, -3.0, 1e300)
                .stream().map(v -> {
                    StringBuilder s = new StringBuilder();
                    PrometheusText.value(v, s);
                    return s.toString();
                }).toList();
        assertEquals(List.of("NaN", "+Inf", "-Inf", "42", "0.5", "-3", "1.0E300"), values);
    }
}
