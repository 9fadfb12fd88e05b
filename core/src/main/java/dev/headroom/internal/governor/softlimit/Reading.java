package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One sample as the soft-limit rooms see it: the budget, what the controller derived from it, and what
 * it knew about reclaims at that moment. Built once per sample on the sampler thread; immutable.
 *
 * @param budget       the budget
 * @param nowNanos     the sample's time, on the governor's clock
 * @param softLimit    the soft limit in force; empty when off or when a percentage has no limit to resolve against
 * @param gcLoad       the collector's share of the machine over the last 10 s, 0..1 ({@link GcLoad})
 * @param mutatorCores the application's own CPU between the last two samples, in cores; NaN when unknown
 * @param minReclaim   the least growth worth a reclaim ({@link #minReclaimBytes})
 * @param grown        how much the working set grew since its low after the last reclaim ({@link LowWater})
 * @param trimDue      a native heap trim is worth doing now
 * @param reclaiming   a reclaim is running (its outcome not taken yet)
 * @param findings     what reclaims have found out so far
 * @param processCpu   the process's cumulative CPU, ns; -1 when unknown
 * @param gcCpu        the collector's cumulative CPU (its threads', else its pauses), ns
 */
record Reading(Budget budget, long nowNanos, OptionalLong softLimit, double gcLoad, double mutatorCores,
               long minReclaim, long grown, boolean trimDue, boolean reclaiming, Findings findings,
               long processCpu, long gcCpu) {
    static final long MIB = 1L << 20;
    static final long MIN_RECLAIM_FLOOR = 16 * MIB;
    static final double MIN_RECLAIM_SHARE = 0.02;

    long workingSet() {
        return budget.workingSetBytes();
    }

    /** Where things stood, for the events of actions decided on this sample. */
    SoftLimitEvents.Moment moment() {
        return new SoftLimitEvents.Moment(softLimit, budget.workingSetBytes(), gcLoad);
    }

    /** A reclaim decided on this sample. */
    ReclaimTask.Plan plan(boolean idle, boolean collect, boolean trim, String reason) {
        return new ReclaimTask.Plan(idle, collect, trim, reason, moment(), budget.jvm().heapUsedBytes(), minReclaim, nowNanos);
    }

    /** Least growth worth a reclaim: 16 MiB, or 2% of the limit (or max heap) when larger. */
    static long minReclaimBytes(Budget budget) {
        long base = budget.limitBytes().isPresent() ? budget.limitBytes().getAsLong()
                : budget.jvm().heapMaxBytes().orElse(0);
        return Math.max(MIN_RECLAIM_FLOOR, (long) (base * MIN_RECLAIM_SHARE));
    }

    /** The budget's {@code untracked_native} (malloc, retained arenas); without it, the working set less the heap. */
    static long nativeBytes(Budget budget) {
        Optional<Budget.Component> untracked = budget.component("untracked_native");
        return untracked.isPresent() ? untracked.get().bytes()
                : Math.max(0, budget.workingSetBytes() - budget.jvm().heapCommittedBytes());
    }
}
