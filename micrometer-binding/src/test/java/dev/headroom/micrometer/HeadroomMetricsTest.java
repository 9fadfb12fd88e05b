package dev.headroom.micrometer;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.metrics.MeterCatalog;
import dev.headroom.testkit.Listeners;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.headroom.internal.metrics.SampleBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadroomMetricsTest {

    @Test
    void registersEveryCatalogMeterWithNameTagsUnitAndValue() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeadroomMetrics(SampleBudgets::full, Tags.of("app", "shop")).bindTo(registry);

        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            java.util.Collection<Meter> meters = registry.find(m.name()).meters();
            assertFalse(meters.isEmpty(), "not registered: " + m.name());
            for (Meter meter : meters) {
                assertEquals(m.baseUnit(), meter.getId().getBaseUnit(), m.name());
                assertEquals(m.description(), meter.getId().getDescription(), m.name());
                assertEquals("shop", meter.getId().getTag("app"), m.name());
                for (String key : m.tagKeys()) {
                    assertNotNull(meter.getId().getTag(key), m.name() + " lacks tag " + key);
                }
                assertEquals(m.type() == MeterCatalog.Type.COUNTER ? Meter.Type.COUNTER : Meter.Type.GAUGE,
                        meter.getId().getType(), m.name());
            }
        }
        assertEquals(370.0 * MIB, registry.get("headroom.memory.working.set").gauge().value());
        assertEquals(1024.0 * MIB, registry.get("headroom.memory.limit").gauge().value());
        assertEquals(900.0 * MIB, registry.get("headroom.memory.high").gauge().value());
        assertEquals(1.0, registry.get("headroom.pressure.level").gauge().value());
        assertEquals(200.0 * MIB, registry.get("headroom.budget").tag("component", "heap").gauge().value());
        assertEquals(7, registry.get("headroom.budget").gauges().size(), "one gauge per component");
        assertEquals(150.0 * MIB, registry.get("headroom.constraint.used").tag("constraint", "heap").gauge().value());
        assertEquals(512.0 * MIB, registry.get("headroom.constraint.limit").tag("constraint", "heap").gauge().value());
        assertEquals(1.0, registry.get("headroom.constraint.binding").tag("constraint", "cgroup").gauge().value(),
                "the cgroup at 31% of its limit binds: the heap is at 29% of its own");
        assertEquals(0.0, registry.get("headroom.constraint.binding").tag("constraint", "heap").gauge().value());
        assertEquals(704.0, registry.get("headroom.constraint.time.to.limit").tag("constraint", "cgroup").gauge().value());
        assertNull(registry.find("headroom.constraint.time.to.limit").tag("constraint", "heap").gauge(), "not growing: no series");
        assertEquals(25.0 * MIB, registry.get("headroom.nmt.committed").tag("category", "Thread").gauge().value());
        assertEquals(7.0, registry.get("headroom.memory.oom.kills").functionCounter().count());
        assertEquals(11.0, registry.get("headroom.memory.events").tag("event", "high").functionCounter().count());
        assertEquals(1.25, registry.get("headroom.memory.pressure.stalled").tag("kind", "full").functionCounter().count());
        assertEquals(64.0 * MIB, registry.get("headroom.governor.returned").functionCounter().count());
        assertEquals(2.0, registry.get("headroom.heap.dumps").tag("outcome", "refused").functionCounter().count());
    }

    @Test
    void registersNothingTheDataCannotBackAndNothingOutsideItsPrefix() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeadroomMetrics(SampleBudgets::noController, Tags.empty()).bindTo(registry);

        for (String absent : List.of("headroom.memory.limit", "headroom.memory.usage", "headroom.memory.rss",
                "headroom.memory.cache", "headroom.memory.swap", "headroom.memory.headroom",
                "headroom.memory.time.to.limit", "headroom.memory.pressure.stalled", "headroom.memory.events",
                "headroom.memory.oom.kills", "headroom.nmt.committed", "headroom.nmt.reserved",
                "headroom.governor.soft.limit")) {
            assertNull(registry.find(absent).meter(), absent + " registered without data");
        }
        assertEquals(60.0 * MIB, registry.get("headroom.memory.working.set").gauge().value());
        for (Meter m : registry.getMeters()) {
            assertTrue(m.getId().getName().startsWith("headroom."), m.getId().getName());
        }
    }

    @Test
    void followsTheLatestBudgetAndKeepsCountersMonotonic() {
        AtomicReference<Budget> latest = new AtomicReference<>(SampleBudgets.full(PressureLevel.OK, 3, 7));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeadroomMetrics(latest::get, Tags.empty()).bindTo(registry);
        Gauge level = registry.get("headroom.pressure.level").gauge();
        FunctionCounter actions = registry.get("headroom.governor.actions").functionCounter();
        assertEquals(0.0, level.value());
        assertEquals(3.0, actions.count());

        latest.set(SampleBudgets.full(PressureLevel.CRITICAL, 5, 7));
        assertEquals(2.0, level.value());
        assertEquals(5.0, actions.count());

        latest.set(SampleBudgets.noController());
        assertTrue(Double.isNaN(registry.get("headroom.memory.limit").gauge().value()), "a vanished reading is NaN, not a stale figure");
        assertEquals(7.0, registry.get("headroom.memory.oom.kills").functionCounter().count(), "a counter never goes back");

        latest.set(null);
        assertTrue(Double.isNaN(level.value()));
    }

    @Test
    void registersSeriesThatAppearLaterWhenToldOfABudget() {
        AtomicReference<Budget> latest = new AtomicReference<>(SampleBudgets.noController());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HeadroomMetrics metrics = new HeadroomMetrics(latest::get, Tags.empty());
        metrics.bindTo(registry);
        assertNull(registry.find("headroom.nmt.committed").meter());
        assertEquals(2, registry.get("headroom.budget").gauges().size());

        latest.set(SampleBudgets.full());
        metrics.registerNewSeries(latest.get());
        assertEquals(3, registry.get("headroom.nmt.committed").gauges().size());
        assertEquals(7, registry.get("headroom.budget").gauges().size());
        int count = registry.getMeters().size();
        metrics.registerNewSeries(latest.get());
        assertEquals(count, registry.getMeters().size(), "registering again adds nothing");
    }

    @Test
    void aFailingBudgetSourceNeverThrowsIntoTheRegistry() {
        AtomicReference<Boolean> fail = new AtomicReference<>(false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeadroomMetrics(() -> {
            if (fail.get()) {
                throw new IllegalStateException("Headroom has no budget: closed");
            }
            return SampleBudgets.full();
        }, Tags.empty()).bindTo(registry);
        fail.set(true);
        assertTrue(Double.isNaN(registry.get("headroom.memory.working.set").gauge().value()));
        assertEquals(7.0, registry.get("headroom.memory.oom.kills").functionCounter().count());
    }

    @Test
    void countersStayReadableWhenTheBinderItselfIsDropped() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeadroomMetrics(SampleBudgets::full, Tags.empty()).bindTo(registry);
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        // Micrometer holds a counter's object weakly; the binder's shared state must stay reachable.
        assertEquals(3.0, registry.get("headroom.governor.actions").functionCounter().count());
    }

    @Test
    void withARealHeadroomItListensAndCloseRemovesItsMeters() throws Exception {
        try (Headroom headroom = Headroom.start(HeadroomConfig.parse("interval=100ms,jmx=false,quiet=true"))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            HeadroomMetrics metrics = new HeadroomMetrics(headroom, Tags.of("instance", "test"));
            metrics.bindTo(registry);
            Gauge ws = registry.get("headroom.memory.working.set").tag("instance", "test").gauge();
            assertTrue(ws.value() > 0, "this JVM's working set is above zero: " + ws.value());
            // Other binders' meters are left alone.
            registry.gauge("jvm.test.other", 1.0);
            // The binder's listener follows a sampled budget first, so close must remove what it registered too.
            Listeners.awaitBudget(headroom, Duration.ofSeconds(10), "a budget through the binder's listener", b -> true);
            metrics.close();
            metrics.close();
            assertEquals(1, registry.getMeters().size(), "only the other meter is left: " + registry.getMetersAsString());
            assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
        }
    }
}
