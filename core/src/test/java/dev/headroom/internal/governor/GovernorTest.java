package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.PressureLevel;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GovernorTest {
    private static final long LIMIT = 1000 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingEvents events = new RecordingEvents();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);
    private final List<String> levelChanges = new ArrayList<>();

    /** Counts calls and claims a soft limit and one action per call. */
    private static final class CountingReclaimer implements Reclaimer {
        int calls;
        boolean fail;

        @Override
        public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
            calls++;
            if (fail) {
                throw new IllegalStateException("reclaimer bug");
            }
            // A level and dump counters of its own, which the governor must not publish.
            return new GovernorState(PressureLevel.OK, OptionalLong.of(700 * MIB), true, calls, calls * MIB, 2,
                    99, 99);
        }
    }

    private Governor governor(String spec, Reclaimer reclaimer) {
        return new Governor(HeadroomConfig.parse(spec), events, diagnostics, reclaimer, null, null,
                (previous, current, budget) -> levelChanges.add(previous + "->" + current + "@" + budget.governor().level()));
    }

    private Budget sample(long workingSet, long heap) {
        ticker.advanceMillis(1000);
        return TestBudgets.budget(ticker.currentTimeMillis(), workingSet, OptionalLong.of(LIMIT), heap, GovernorState.initial());
    }

    @Test
    void theReclaimerRunsOnlyWhenASoftLimitOrIdleReclaimIsOnAndFillsItsPartOfTheState() {
        CountingReclaimer off = new CountingReclaimer();
        governor("idleReclaim=false", off).onSample(sample(100 * MIB, 50 * MIB), ticker.nanoTime());
        assertEquals(0, off.calls);

        CountingReclaimer on = new CountingReclaimer();
        Governor g = governor("softLimit=700m", on);
        Budget out = g.onSample(sample(900 * MIB, 500 * MIB), ticker.nanoTime());
        assertEquals(1, on.calls);
        GovernorState s = out.governor();
        assertEquals(PressureLevel.WARN, s.level(), "the level is the governor's, not the reclaimer's");
        assertEquals(OptionalLong.of(700 * MIB), s.softLimitBytes());
        assertTrue(s.overSoftLimit());
        assertEquals(1, s.actions());
        assertEquals(0, s.heapDumps(), "dump counters are the governor's");
        assertEquals(s, g.state());

        CountingReclaimer idle = new CountingReclaimer();
        governor("idleReclaim=true", idle).onSample(sample(100 * MIB, 50 * MIB), ticker.nanoTime());
        assertEquals(1, idle.calls);
    }

    @Test
    void aThrowingReclaimerIsReportedOnceAndTheLevelsStillWork() {
        CountingReclaimer r = new CountingReclaimer();
        r.fail = true;
        Governor g = governor("softLimit=700m", r);
        g.onSample(sample(100 * MIB, 50 * MIB), ticker.nanoTime());
        Budget out = g.onSample(sample(960 * MIB, 50 * MIB), ticker.nanoTime());
        assertEquals(PressureLevel.CRITICAL, out.governor().level());
        assertEquals(List.of("OK->CRITICAL@CRITICAL"), levelChanges, "listeners see the new level in the budget");
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, err.split("reclaimer bug", -1).length - 1, err);
    }

    @Test
    void thePressureEventNamesTheLargestComponentsAndHowFastTheyGrow() {
        Governor g = governor("", Reclaimer.NONE);
        // Heap flat at 300 MiB; the rest (direct buffers in TestBudgets) grows 10 MiB/s.
        for (int i = 0; i <= 45; i++) {
            g.onSample(sample(400 * MIB + i * 10 * MIB, 300 * MIB), ticker.nanoTime());
        }
        HeadroomEvent e = events.named("pressure").get(0);
        assertEquals("WARN", e.fields().get("level"));
        assertEquals(850 * MIB, e.fields().get("workingSetBytes"));
        assertTrue(e.message().startsWith("pressure WARN (was OK): working set 850.0 MiB = 85.0% of the 1000.0 MiB limit; headroom 150.0 MiB"),
                e.message());
        assertTrue(e.message().contains("largest: direct_buffers 550.0 MiB (+10.0 MiB/s), heap 300.0 MiB (+0 B/s)"), e.message());
        @SuppressWarnings("unchecked")
        List<java.util.Map<String, Object>> largest = (List<java.util.Map<String, Object>>) e.fields().get("largest");
        assertEquals("direct_buffers", largest.get(0).get("name"));
        assertEquals(List.of("name", "bytes", "source", "estimated", "growthBytesPerSecond"), List.copyOf(largest.get(0).keySet()),
                "each as in the schema's budget.components, plus its growth");
        assertEquals(List.of("level", "previous", "workingSetBytes", "limitBytes", "headroomBytes", "growthBytesPerSecond",
                "secondsToLimit", "binding", "warnAtBytes", "criticalAtBytes", "largest"), List.copyOf(e.fields().keySet()));
        assertEquals(10.0 * MIB, (Double) largest.get(0).get("growthBytesPerSecond"), MIB / 10.0);
    }

    @Test
    void runtimeThresholdChangesAreCheckedAndApplied() {
        Governor g = governor("", Reclaimer.NONE);
        g.setThresholds(HeadroomConfig.Size.ofPercent(10), HeadroomConfig.Size.ofPercent(20));
        assertEquals(PressureLevel.WARN, g.onSample(sample(150 * MIB, 50 * MIB), ticker.nanoTime()).governor().level());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> g.setThresholds(HeadroomConfig.Size.ofPercent(30), HeadroomConfig.Size.ofPercent(20)));
    }
}
