package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
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
        }, Runnable::run, e -> {
            throw new AssertionError(e);
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
    void theSamplerNeverWaitsForTheLawToBeBuilt() {
        List<Runnable> pending = new ArrayList<>();
        AtomicInteger built = new AtomicInteger();
        List<Long> sampled = new ArrayList<>();
        DormantReclaimer r = new DormantReclaimer(() -> {
            built.incrementAndGet();
            return new QuietLaw() {
                @Override
                public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
                    sampled.add(nowNanos);
                    return current;
                }
            };
        }, pending::add, e -> {
            throw new AssertionError(e);
        });
        GovernorState current = GovernorState.initial();
        assertSame(current, r.onSample(budget(1, 12, 100), 1, current));
        assertSame(current, r.onSample(budget(2, 12, 100), 2, current));
        assertEquals(1, pending.size(), "one wake-up handed to its thread, however many samples come meanwhile");
        assertEquals(0, built.get(), "nothing built on the sampler");
        assertFalse(r.isAwake());

        pending.get(0).run(); // the wake thread: built and given the sample that woke it
        assertEquals(List.of(1L), sampled);
        assertTrue(r.isAwake());
        r.onSample(budget(2, 12, 100), 3, current);
        assertEquals(List.of(1L, 3L), sampled, "then every sample, on the sampler");
    }

    @Test
    void aLawThatCannotBeBuiltIsReportedOnceAndSleeps() {
        List<Throwable> failures = new ArrayList<>();
        AtomicInteger tries = new AtomicInteger();
        DormantReclaimer r = new DormantReclaimer(() -> {
            tries.incrementAndGet();
            throw new IllegalStateException("no levers");
        }, Runnable::run, failures::add);
        GovernorState current = GovernorState.initial();
        assertSame(current, r.onSample(budget(1, 12, 100), 1, current));
        assertSame(current, r.onSample(budget(2, 12, 100), 2, current));
        assertEquals(1, tries.get());
        assertEquals(1, failures.size());
        assertFalse(r.isAwake());
    }

    @Test
    void aLawBuiltAfterCloseIsClosedToo() {
        List<Runnable> pending = new ArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        DormantReclaimer r = new DormantReclaimer(() -> new QuietLaw() {
            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }, pending::add, e -> {
            throw new AssertionError(e);
        });
        r.onSample(budget(1, 12, 100), 1, GovernorState.initial());
        r.close();
        pending.get(0).run();
        assertEquals(1, closed.get());
    }

    /** A law that does nothing. */
    private static class QuietLaw implements DormantReclaimer.Law {
        @Override
        public void seedLows(long workingSetBytes, long nativeBytes) {
        }

        @Override
        public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
            return current;
        }

        @Override
        public boolean busy() {
            return false;
        }
    }

    @Test
    void aLargeHeapNeverCollectedWakesItToo() {
        assertFalse(DormantReclaimer.worthWaking(budget(0, DormantReclaimer.AWAKE_HEAP_MIB - 1)));
        assertTrue(DormantReclaimer.worthWaking(budget(0, DormantReclaimer.AWAKE_HEAP_MIB)));
        assertTrue(DormantReclaimer.worthWaking(budget(3, 1)));
    }
}
