package dev.headroom.internal.watch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocationRatesTest {
    private static final long MIB = 1 << 20;

    @Test
    void theNextCollectionIsExpectedWhenEdenFillsAtTheAllocationRate() {
        AllocationRates rates = new AllocationRates();
        assertEquals(JvmCounters.UNKNOWN, rates.expectedStepNanos(39 * MIB), "no rate yet");
        rates.add(3 * MIB, 300);
        // 3 MiB filled in 300 ms is 10 MiB/s; an eden grown to 39 MiB fills in 3.9 s, not in 300 ms.
        assertEquals(3_900_000_000L, rates.expectedStepNanos(39 * MIB), 1_000_000);
        assertEquals(JvmCounters.UNKNOWN, rates.expectedStepNanos(0), "no eden pool");
    }

    @Test
    void nothingAllocatedOrBackToBackMeasuresNoRate() {
        AllocationRates rates = new AllocationRates();
        rates.add(0, 300);
        rates.add(3 * MIB, 0);
        assertEquals(JvmCounters.UNKNOWN, rates.expectedStepNanos(39 * MIB));
    }

    @Test
    void anIdleSpellDoesNotPushTheNextCollectionAway() {
        AllocationRates rates = new AllocationRates();
        for (int i = 0; i < 3; i++) {
            rates.add(40 * MIB, 200); // a burst: 200 MiB/s, a collection every 200 ms
        }
        rates.add(40 * MIB, 10_000); // then ten quiet seconds before the next burst's first collection
        assertEquals(200_000_000L, rates.expectedStepNanos(40 * MIB), 1_000_000,
                "the burst's pace, not the quiet spell's 4 MiB/s (ten seconds)");
    }

    @Test
    void aSteadyAllocatorWhoseAllocationSlowsIsForgottenAfterAFewCollections() {
        AllocationRates rates = new AllocationRates();
        rates.add(40 * MIB, 200);
        for (int i = 0; i < 4; i++) {
            rates.add(40 * MIB, 2_000);
        }
        assertEquals(2_000_000_000L, rates.expectedStepNanos(40 * MIB), 1_000_000);
    }

    /**
     * A leak of 10 MiB/s whose small eden is collected every 300 ms, with one moment of 140 MiB/s
     * (Headroom's own attribution starting): an eden grown to 40 MiB at a full collection is expected
     * to fill in seconds, at the average over the last two, not in 0.3 s at the moment's pace.
     */
    @Test
    void aMomentsBurstOfAllocationDoesNotShortenTheNextStepTenfold() {
        AllocationRates rates = new AllocationRates();
        for (int i = 0; i < 8; i++) {
            rates.add(3 * MIB, 300);
        }
        rates.add(14 * MIB, 100);
        rates.add(3 * MIB, 300);
        rates.add(3 * MIB, 300);
        assertFalse(rates.latestFollowedAPause());
        // Back to 2 s: 3 + 3 + 14 + 5 x 3 = 35 MiB over 2.2 s.
        assertEquals(40 * 2200 / 35 * 1_000_000L, rates.expectedStepNanos(40 * MIB), 2_000_000);
    }

    @Test
    void theFirstCollectionAfterAQuietSpellFollowedAPauseAGrownEdenDoesNot() {
        AllocationRates rates = new AllocationRates();
        rates.add(40 * MIB, 200);
        rates.add(40 * MIB, 200);
        assertFalse(rates.latestFollowedAPause(), "a burst's collections at its pace");
        rates.add(400 * MIB, 2_000);
        assertFalse(rates.latestFollowedAPause(), "an eden ten times larger filled at the same 200 MiB/s: a leak goes on");
        rates.add(40 * MIB, 3_000);
        assertTrue(rates.latestFollowedAPause(), "40 MiB over three seconds after 200 MiB/s: the allocation paused");
    }
}
