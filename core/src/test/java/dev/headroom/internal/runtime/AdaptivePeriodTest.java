package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptivePeriodTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long LIMIT = 1024 * MIB;

    @Test
    void staysAtTheBaseWhenNothingGrows() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND);
        for (int i = 0; i < 5; i++) {
            assertEquals(SECOND, p.next(TestBudgets.budget(300 * MIB, LIMIT), i * SECOND));
        }
    }

    @Test
    void atRestWithTheWatchOnTheWaitDoublesUpToSixteenPeriodsAndAChangeBringsItBack() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND, true);
        long now = 0;
        assertEquals(SECOND, p.next(TestBudgets.budget(300 * MIB, LIMIT), now), "the first sample has nothing to compare");
        long[] expected = {2, 4, 8, 16, 16};
        for (long factor : expected) {
            long delay = p.next(TestBudgets.budget(300 * MIB + MIB, LIMIT), now += SECOND);
            assertEquals(factor * SECOND, delay);
        }
        assertEquals(SECOND, p.next(TestBudgets.budget(400 * MIB, LIMIT), now + 16 * SECOND), "100 MiB moved: back to the base");
    }

    @Test
    void withoutTheWatchRestDoesNotStretchTheWait() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND, false);
        for (int i = 0; i < 5; i++) {
            assertEquals(SECOND, p.next(TestBudgets.budget(300 * MIB, LIMIT), i * SECOND));
        }
    }

    @Test
    void aFastLeakGetsAboutTenSamplesBeforeTheLimit() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND);
        long now = 0;
        long ws = 300 * MIB;
        assertEquals(SECOND, p.next(TestBudgets.budget(ws, LIMIT), now));
        long rate = 300 * MIB; // per second
        int samples = 1;
        long delay = SECOND;
        while (true) {
            now += delay;
            ws += (long) (rate * (delay / 1e9));
            if (ws >= LIMIT) {
                break;
            }
            delay = p.next(TestBudgets.budget(ws, LIMIT), now);
            samples++;
        }
        assertTrue(samples >= 8, "samples before the limit: " + samples);
    }

    @Test
    void usesTheBudgetTrendWhenItIsFasterThanTheLastStep() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND);
        Budget b = TestBudgets.budget(500 * MIB, LIMIT);
        Budget trending = b.toBuilder().growthBytesPerSecond(java.util.OptionalDouble.of(100.0 * MIB)).build();
        // 524 MiB headroom at 100 MiB/s: 5.24 s left, a tenth of it.
        assertEquals(524_000_000L, p.next(trending, 0), 1_000_000);
    }

    @Test
    void shrinksWithHeadroomBelowTwentyPercentEvenWithoutGrowth() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND);
        assertEquals(SECOND / 2, p.next(TestBudgets.budget(LIMIT - LIMIT / 10, LIMIT), 0), 1000);
        assertEquals(AdaptivePeriod.FLOOR_NANOS, new AdaptivePeriod(SECOND).next(TestBudgets.budget(LIMIT + MIB, LIMIT), 0));
    }

    @Test
    void neverBelowTheFloorNorAboveTheBase() {
        AdaptivePeriod p = new AdaptivePeriod(SECOND);
        p.next(TestBudgets.budget(100 * MIB, LIMIT), 0);
        assertEquals(AdaptivePeriod.FLOOR_NANOS, p.next(TestBudgets.budget(1000 * MIB, LIMIT), SECOND / 100));
        AdaptivePeriod unlimited = new AdaptivePeriod(SECOND);
        unlimited.next(TestBudgets.budget(0, 100 * MIB, OptionalLong.empty(), 0, dev.headroom.GovernorState.initial()), 0);
        assertEquals(SECOND, unlimited.next(TestBudgets.budget(0, 900 * MIB, OptionalLong.empty(), 0,
                dev.headroom.GovernorState.initial()), SECOND), "no limit: no time to limit");
    }
}
