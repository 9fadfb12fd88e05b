package dev.headroom.internal.governor;

import dev.headroom.PressureLevel;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static dev.headroom.PressureLevel.CRITICAL;
import static dev.headroom.PressureLevel.OK;
import static dev.headroom.PressureLevel.WARN;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PressureLevelsTest {
    private static final OptionalLong WARN_AT = OptionalLong.of(850);
    private static final OptionalLong CRITICAL_AT = OptionalLong.of(950);
    private final PressureLevels levels = new PressureLevels();
    private long now;

    private PressureLevel sample(long ws, long afterMillis) {
        now += TimeUnit.MILLISECONDS.toNanos(afterMillis);
        return levels.update(ws, WARN_AT, CRITICAL_AT, now);
    }

    @Test
    void risesOnTheFirstSampleAtTheThreshold() {
        assertEquals(OK, sample(849, 1000));
        assertEquals(WARN, sample(850, 1000));
        assertEquals(CRITICAL, sample(950, 1000));
    }

    @Test
    void jumpsStraightFromOkToCritical() {
        assertEquals(CRITICAL, sample(990, 1000));
    }

    @Test
    void doesNotFlapAroundTheThreshold() {
        assertEquals(WARN, sample(860, 1000));
        // A GC cycle pushes the working set just below and back above, again and again.
        for (int i = 0; i < 50; i++) {
            assertEquals(WARN, sample(i % 2 == 0 ? 820 : 855, 1000), "sample " + i);
        }
    }

    @Test
    void clearsOnlyAfterThreeSamplesAndFiveSecondsBelowTheBand() {
        assertEquals(WARN, sample(900, 1000));
        // 800 is below 95% of 850 (807.5).
        assertEquals(WARN, sample(800, 1000));
        assertEquals(WARN, sample(800, 1000));
        assertEquals(WARN, sample(800, 1000), "three samples, but only 2 s since the first below");
        assertEquals(WARN, sample(800, 2000));
        assertEquals(OK, sample(800, 1000));
    }

    @Test
    void fastSamplesStillNeedTheTimeSpan() {
        assertEquals(WARN, sample(900, 50));
        for (int i = 0; i < 100; i++) {
            assertEquals(WARN, sample(100, 50));
        }
        assertEquals(OK, sample(100, 50), "5 s after the first sample below the band");
    }

    @Test
    void aSampleBackInTheBandRestartsTheClearing() {
        assertEquals(WARN, sample(900, 1000));
        sample(800, 1000);
        sample(800, 3000);
        assertEquals(WARN, sample(830, 1000), "830 is inside the band: still WARN");
        assertEquals(WARN, sample(800, 1000));
        assertEquals(WARN, sample(800, 1000));
        assertEquals(WARN, sample(800, 1000), "the clearing restarted 2 s ago");
        assertEquals(OK, sample(800, 3000));
    }

    @Test
    void criticalFallsToWarnWhenStillAboveTheWarnBand() {
        assertEquals(CRITICAL, sample(960, 1000));
        for (int i = 0; i < 5; i++) {
            sample(880, 2000);
        }
        assertEquals(WARN, levels.level());
    }

    @Test
    void offThresholdsNeverRaise() {
        assertEquals(OK, levels.update(Long.MAX_VALUE, OptionalLong.empty(), OptionalLong.empty(), 0));
        assertEquals(CRITICAL, levels.update(10, OptionalLong.empty(), OptionalLong.of(10), 1));
    }
}
