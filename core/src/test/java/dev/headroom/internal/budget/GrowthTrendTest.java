package dev.headroom.internal.budget;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.headroom.internal.budget.Snapshots.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrowthTrendTest {

    private static GrowthTrend trend() {
        return new GrowthTrend(Duration.ofMinutes(10), Duration.ofMinutes(2), 600);
    }

    /**
     * A GC saw-tooth sampled every 5 s: from {@code floor(t)} the heap climbs {@code tooth} MiB over one
     * 30 s cycle, then a collection drops it back (the GC count moves at the bottom).
     */
    private static void sawTooth(GrowthTrend trend, int samples, long floorBytes, double floorGrowthPerSecond,
                                 long toothBytes) {
        long gc = 0;
        for (int i = 0; i < samples; i++) {
            long t = i * 5_000L;
            int phase = i % 6;
            if (phase == 0) {
                gc++;
            }
            long floor = floorBytes + (long) (floorGrowthPerSecond * t / 1000);
            trend.add(t, floor + toothBytes * phase / 6, gc);
        }
    }

    @Test
    void aFlatSawToothIsNotGrowth() {
        GrowthTrend trend = trend();
        sawTooth(trend, 120, 500 * MIB, 0, 200 * MIB);
        assertEquals(0.0, trend.bytesPerSecond().getAsDouble(), 1.0);
        assertTrue(GrowthTrend.secondsToLimit(OptionalLong.of(100 * MIB), trend.bytesPerSecond()).isEmpty(),
                "not growing: no time to the limit");
    }

    @Test
    void aRisingFloorUnderASawToothIsMeasured() {
        GrowthTrend trend = trend();
        double leak = 100_000; // bytes per second, under a 200 MiB tooth
        sawTooth(trend, 120, 500 * MIB, leak, 200 * MIB);
        double measured = trend.bytesPerSecond().getAsDouble();
        assertEquals(leak, measured, leak * 0.05);
        OptionalDouble seconds = GrowthTrend.secondsToLimit(OptionalLong.of(1000 * MIB), trend.bytesPerSecond());
        assertEquals(1000 * MIB / measured, seconds.getAsDouble(), 1e-6);
    }

    @Test
    void aLateCollectionDoesNotReadAsShrinking() {
        GrowthTrend trend = trend();
        // Flat floor, but the window ends right after a collection that freed a 300 MiB peak.
        for (int i = 0; i < 60; i++) {
            trend.add(i * 5_000L, 400 * MIB + (i == 58 ? 300 * MIB : 0), i == 59 ? 1 : 0);
        }
        assertEquals(0.0, trend.bytesPerSecond().getAsDouble(), 1.0);
    }

    @Test
    void steadyGrowthWithoutCollectionsIsGrowth() {
        GrowthTrend trend = trend();
        for (int i = 0; i < 60; i++) {
            trend.add(i * 5_000L, 100 * MIB + i * 5 * MIB, 0);
        }
        assertEquals(MIB, trend.bytesPerSecond().getAsDouble(), 1.0);
    }

    @Test
    void nothingUntilTheSamplesSpanEnoughTime() {
        GrowthTrend trend = trend();
        for (int i = 0; i < 20; i++) {
            trend.add(i * 5_000L, 100 * MIB + i * MIB, 0);
        }
        assertTrue(trend.bytesPerSecond().isEmpty(), "95 s of history, 120 s needed");
        assertTrue(trend().bytesPerSecond().isEmpty());
    }

    @Test
    void onlyTheWindowCounts() {
        GrowthTrend trend = new GrowthTrend(Duration.ofMinutes(5), Duration.ofMinutes(1), 600);
        for (int i = 0; i < 120; i++) { // 10 min rising at 1 MiB/s...
            trend.add(i * 5_000L, i * 5 * MIB, 0);
        }
        for (int i = 120; i < 240; i++) { // ...then 10 min flat
            trend.add(i * 5_000L, 600 * MIB, 0);
        }
        assertEquals(0.0, trend.bytesPerSecond().getAsDouble(), 1.0);
    }

    @Test
    void secondsToLimitEdges() {
        assertTrue(GrowthTrend.secondsToLimit(OptionalLong.empty(), OptionalDouble.of(5)).isEmpty(), "unlimited");
        assertTrue(GrowthTrend.secondsToLimit(OptionalLong.of(10), OptionalDouble.empty()).isEmpty());
        assertTrue(GrowthTrend.secondsToLimit(OptionalLong.of(10), OptionalDouble.of(-1)).isEmpty(), "shrinking");
        assertEquals(0.0, GrowthTrend.secondsToLimit(OptionalLong.of(-10), OptionalDouble.of(1)).getAsDouble(), "past it");
        assertThrows(IllegalArgumentException.class, () -> new GrowthTrend(Duration.ofMinutes(1), Duration.ZERO, 2));
    }
}
