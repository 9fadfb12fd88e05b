package dev.headroom.metrics;

import dev.headroom.Budget;
import dev.headroom.internal.metrics.PrometheusNames;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.headroom.internal.metrics.SampleBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeterCatalogTest {
    private static final Pattern PROM_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void everyMeterIsOursUniqueAndNamedTheWayPrometheusAccepts() {
        Set<String> names = new HashSet<>();
        Set<String> promNames = new HashSet<>();
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            assertTrue(m.name().startsWith("headroom."), m.name());
            for (String reserved : List.of("jvm.", "process.", "system.")) {
                assertFalse(m.name().substring("headroom.".length()).startsWith(reserved), m.name());
            }
            assertTrue(names.add(m.name()), "duplicate " + m.name());
            assertTrue(promNames.add(m.prometheusName()), "duplicate " + m.prometheusName());
            assertTrue(PROM_NAME.matcher(m.prometheusName()).matches(), m.prometheusName());
            assertEquals(m.type() == MeterCatalog.Type.COUNTER, m.prometheusName().endsWith("_total"), m.name());
        }
    }

    @Test
    void everyMeterIsBackedByAFullBudget() {
        Budget b = SampleBudgets.full();
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            List<MeterCatalog.Sample> samples = m.samples(b);
            assertFalse(samples.isEmpty(), m.name());
            for (MeterCatalog.Sample s : samples) {
                assertEquals(m.tagKeys().size(), s.tagValues().size(), m.name());
            }
        }
    }

    @Test
    void readsTheFiguresTheyNameWithCadvisorSemantics() {
        Budget b = SampleBudgets.full();
        assertEquals(1024.0 * MIB, value("headroom.memory.limit", b));
        assertEquals(370.0 * MIB, value("headroom.memory.working.set", b));
        assertEquals(470.0 * MIB, value("headroom.memory.usage", b));
        assertEquals(300.0 * MIB, value("headroom.memory.rss", b), "rss is memory.stat anon, as cAdvisor");
        assertEquals(150.0 * MIB, value("headroom.memory.cache", b), "cache is memory.stat file");
        assertEquals(554.0 * MIB, value("headroom.memory.headroom", b));
        assertEquals(554.0, value("headroom.memory.time.to.limit", b));
        assertEquals(1.0, value("headroom.pressure.level", b), "WARN");
        assertEquals(7.0, value("headroom.memory.oom.kills", b));
        assertEquals(600.0 * MIB, value("headroom.sizing.recommended.request", b));
        assertEquals(900.0 * MIB, value("headroom.sizing.recommended.limit", b));
        assertEquals(List.of(new MeterCatalog.Sample(List.of("some"), 2.5), new MeterCatalog.Sample(List.of("full"), 1.25)),
                meter("headroom.memory.pressure.stalled").samples(b), "PSI totals in seconds");
        assertEquals(List.of(new MeterCatalog.Sample(List.of("Class"), 40.0 * MIB),
                        new MeterCatalog.Sample(List.of("Java Heap"), 200.0 * MIB),
                        new MeterCatalog.Sample(List.of("Thread"), 25.0 * MIB)),
                meter("headroom.nmt.committed").samples(b));
        double sum = 0;
        for (MeterCatalog.Sample s : meter("headroom.budget").samples(b)) {
            sum += s.value();
        }
        assertEquals(value("headroom.memory.working.set", b), sum, "components add up to the working set");
        List<String> events = meter("headroom.memory.events").samples(b).stream().map(s -> s.tagValues().get(0)).toList();
        assertEquals(List.of("low", "high", "max", "oom", "oom_kill", "oom_group_kill"), events);
    }

    @Test
    void meterTheDataCannotBackHasNoSample() {
        Budget b = SampleBudgets.noController();
        for (String name : List.of("headroom.memory.limit", "headroom.memory.usage", "headroom.memory.rss",
                "headroom.memory.swap", "headroom.memory.headroom", "headroom.memory.time.to.limit",
                "headroom.memory.pressure.stalled", "headroom.memory.events", "headroom.memory.oom.kills",
                "headroom.nmt.committed", "headroom.nmt.reserved", "headroom.governor.soft.limit")) {
            assertTrue(meter(name).samples(b).isEmpty(), name);
        }
        assertEquals(60.0 * MIB, value("headroom.memory.working.set", b), "RSS stands in for the working set");
        assertEquals(0.0, value("headroom.pressure.level", b));
    }

    @Test
    void aReaderThatFailsGivesNoSampleInsteadOfThrowing() {
        Budget broken = Budget.builder()
                .cgroup(null)
                .jvm(null)
                .process(null)
                .sizingCheck(null)
                .recommendation(null)
                .governor(null)
                .build();
        assertTrue(meter("headroom.memory.usage").samples(broken).isEmpty());
        assertTrue(meter("headroom.pressure.level").samples(broken).isEmpty());
        assertTrue(meter("headroom.memory.usage").samples(null).isEmpty());
    }

    @Test
    void prometheusNamesFollowMicrometersConvention() {
        assertEquals("headroom_memory_working_set_bytes", meter("headroom.memory.working.set").prometheusName());
        assertEquals("headroom_memory_time_to_limit_seconds", meter("headroom.memory.time.to.limit").prometheusName());
        assertEquals("headroom_memory_pressure_stalled_seconds_total", meter("headroom.memory.pressure.stalled").prometheusName());
        assertEquals("headroom_governor_actions_total", meter("headroom.governor.actions").prometheusName());
        assertEquals("headroom_governor_returned_bytes_total", meter("headroom.governor.returned").prometheusName());
        assertEquals("headroom_pressure_level", meter("headroom.pressure.level").prometheusName());
        assertEquals("a_total", PrometheusNames.name("a.total", true, null));
        assertEquals("x_bytes", PrometheusNames.name("x.bytes", false, "bytes"));
        assertEquals("_9a_b", PrometheusNames.name("9a-b", false, null));
    }

    static MeterCatalog.Meter meter(String name) {
        return MeterCatalog.byName(name).orElseThrow(() -> new AssertionError("no meter " + name));
    }

    static double value(String name, Budget b) {
        return meter(name).value(b).orElseThrow(() -> new AssertionError("no value for " + name));
    }
}
