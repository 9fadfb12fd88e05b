package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DormantReclaimerTest {
    private static Budget budget(long gcCount, long heapUsedMiB) {
        return budget(gcCount, heapUsedMiB, 100);
    }

    private static Budget budget(long gcCount, long heapUsedMiB, long workingSetMiB) {
        return Budget.builder().workingSetBytes(workingSetMiB << 20)
                .jvm(JvmSnapshot.builder().gcCount(gcCount).heapUsedBytes(heapUsedMiB << 20).build()).build();
    }

    @Test
    void theLawIsBuiltAtTheFirstSampleAfterACollectionAndActsFromThen() {
        AtomicInteger built = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        AtomicLong seededWorkingSet = new AtomicLong(-1);
        GovernorState marked = GovernorState.initial().withHeapDumps(7, 0);
        DormantReclaimer r = new DormantReclaimer(() -> {
            built.incrementAndGet();
            return new DormantReclaimer.Law() {
                @Override
                public void seedLows(long workingSetBytes, long nativeBytes) {
                    seededWorkingSet.set(workingSetBytes);
                }

                @Override
                public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
                    samples.incrementAndGet();
                    return marked;
                }

                @Override
                public boolean busy() {
                    return true;
                }
            };
        });
        GovernorState current = GovernorState.initial();
        for (int i = 0; i < 10; i++) {
            assertSame(current, r.onSample(budget(0, 12, 40 + i), i, current), "an idle JVM's heap: nothing to steer");
        }
        assertEquals(0, built.get(), "not built while the heap was never collected and small");
        assertFalse(r.busy());
        assertFalse(r.isAwake());

        assertSame(marked, r.onSample(budget(1, 12, 600), 10, current));
        assertSame(marked, r.onSample(budget(1, 12, 600), 11, current));
        assertEquals(1, built.get(), "built once");
        assertEquals(40L << 20, seededWorkingSet.get(), "told the low it slept through: the burst that woke it is growth to give back");
        assertEquals(2, samples.get(), "and given every sample from the one that woke it");
        assertTrue(r.busy());
    }

    @Test
    void aLargeHeapNeverCollectedWakesItToo() {
        assertFalse(DormantReclaimer.worthWaking(budget(0, DormantReclaimer.AWAKE_HEAP_MIB - 1)));
        assertTrue(DormantReclaimer.worthWaking(budget(0, DormantReclaimer.AWAKE_HEAP_MIB)));
        assertTrue(DormantReclaimer.worthWaking(budget(3, 1)));
    }
}
