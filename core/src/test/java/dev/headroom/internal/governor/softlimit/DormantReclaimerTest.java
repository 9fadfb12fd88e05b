package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.governor.Reclaimer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DormantReclaimerTest {
    private static Budget budget(long gcCount, long heapUsedMiB) {
        return Budget.builder().jvm(JvmSnapshot.builder().gcCount(gcCount).heapUsedBytes(heapUsedMiB << 20).build()).build();
    }

    @Test
    void theLawIsBuiltAtTheFirstSampleAfterACollectionAndActsFromThen() {
        AtomicInteger built = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        GovernorState marked = GovernorState.initial().withHeapDumps(7, 0);
        DormantReclaimer r = new DormantReclaimer(() -> {
            built.incrementAndGet();
            return new Reclaimer() {
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
            assertSame(current, r.onSample(budget(0, 12), i, current), "an idle JVM's heap: nothing to steer");
        }
        assertEquals(0, built.get(), "not built while the heap was never collected and small");
        assertFalse(r.busy());
        assertFalse(r.isAwake());

        assertSame(marked, r.onSample(budget(1, 12), 10, current));
        assertSame(marked, r.onSample(budget(1, 12), 11, current));
        assertEquals(1, built.get(), "built once");
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
