package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.internal.governor.Reclaimer;

import java.util.function.Supplier;

/**
 * The reclaim law with idle reclaim alone (no soft limit), not built until the heap has something to
 * give back: the collector has run at least once, or the heap holds {@value #AWAKE_HEAP_MIB} MiB or
 * more. Before either, the heap's resident pages are only what the JVM allocated since it started, a
 * few MiB of it in a JVM that does nothing, and there is nothing for the law to steer. Building it
 * loads about 30 classes, scans {@code /proc/self/task} and reads the collector's flags: about 2 MiB
 * of resident memory and a wake-up every few seconds that an idle JVM should not pay. A JVM doing
 * any work collects within its first seconds and wakes the law at the next sample. The law is told
 * the lowest working set it slept through, so a burst that woke it counts as growth to give back.
 */
final class DormantReclaimer implements Reclaimer {
    static final long AWAKE_HEAP_MIB = 64;
    private static final long AWAKE_HEAP_BYTES = AWAKE_HEAP_MIB << 20;

    /** The law, which must hear of the lows it slept through: "grown since its low" starts there. */
    interface Law extends Reclaimer {
        void seedLows(long workingSetBytes, long nativeBytes);
    }

    private final Supplier<? extends Law> law;
    private Law awake;
    private long lowWorkingSet = Long.MAX_VALUE;
    private long lowNative = Long.MAX_VALUE;

    DormantReclaimer(Supplier<? extends Law> law) {
        this.law = law;
    }

    /** Whether {@code budget} shows a heap worth steering. */
    static boolean worthWaking(Budget budget) {
        return budget.jvm().gcCount() > 0 || budget.jvm().heapUsedBytes() >= AWAKE_HEAP_BYTES;
    }

    @Override
    public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
        if (awake == null) {
            // The growth that wakes the law happened while it slept: it is told where the lows were.
            lowWorkingSet = Math.min(lowWorkingSet, budget.workingSetBytes());
            lowNative = Math.min(lowNative, Reading.nativeBytes(budget));
            if (!worthWaking(budget)) {
                return current;
            }
            awake = law.get();
            awake.seedLows(lowWorkingSet, lowNative);
        }
        return awake.onSample(budget, nowNanos, current);
    }

    /** Whether the law has been built. */
    boolean isAwake() {
        return awake != null;
    }

    @Override
    public boolean busy() {
        return awake != null && awake.busy();
    }

    @Override
    public void close() {
        if (awake != null) {
            awake.close();
        }
    }
}
