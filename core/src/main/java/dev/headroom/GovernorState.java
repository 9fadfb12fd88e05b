package dev.headroom;

import java.util.OptionalLong;

/**
 * What the governor is doing: the pressure level and the running totals of its actions. Counters
 * only grow for the life of the JVM, so publishers can expose them as monotonic counters.
 *
 * @param level             current pressure level
 * @param softLimitBytes    the soft limit in force; empty when off
 * @param overSoftLimit     true when the working set is above the soft limit and the GC CPU cap has
 *                          made the governor back off
 * @param actions           reclaim actions taken (GCs requested, flags changed, trims, listener calls)
 * @param bytesReturned     working-set bytes those actions gave back, as measured after each action
 * @param gcCpuCapHits      times the GC CPU cap stopped the governor from acting
 * @param heapDumps         heap dumps written
 * @param heapDumpsRefused  heap dumps refused (no space, tmpfs target, rate limit)
 * @param reclaimCpuNanos   CPU charged to reclaiming so far: Headroom's collections and the GC work and
 *                          page faults of the memory that came back after them
 * @param reclaimBudgetUsedNanos reclaim CPU charged over the budget's sliding window (the last minute)
 * @param reclaimBudgetNanos     what {@code reclaimCpuBudget} allows over that window
 */
public record GovernorState(
        PressureLevel level,
        OptionalLong softLimitBytes,
        boolean overSoftLimit,
        long actions,
        long bytesReturned,
        long gcCpuCapHits,
        long heapDumps,
        long heapDumpsRefused,
        long reclaimCpuNanos,
        long reclaimBudgetUsedNanos,
        long reclaimBudgetNanos) {

    /** The state without reclaim CPU accounting (all zero): the components before {@code reclaimCpuNanos}. */
    public GovernorState(PressureLevel level, OptionalLong softLimitBytes, boolean overSoftLimit, long actions,
                         long bytesReturned, long gcCpuCapHits, long heapDumps, long heapDumpsRefused) {
        this(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits, heapDumps, heapDumpsRefused,
                0, 0, 0);
    }

    /** The state before the governor has seen a sample. */
    public static GovernorState initial() {
        return new GovernorState(PressureLevel.OK, OptionalLong.empty(), false, 0, 0, 0, 0, 0);
    }

    /** This state at another pressure level; everything else unchanged. */
    public GovernorState withLevel(PressureLevel level) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused, reclaimCpuNanos, reclaimBudgetUsedNanos, reclaimBudgetNanos);
    }

    /** This state with another soft limit and over-the-soft-limit flag; everything else unchanged. */
    public GovernorState withSoftLimit(OptionalLong softLimitBytes, boolean overSoftLimit) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused, reclaimCpuNanos, reclaimBudgetUsedNanos, reclaimBudgetNanos);
    }

    /** This state with other reclaim totals; everything else unchanged. */
    public GovernorState withReclaimTotals(long actions, long bytesReturned, long gcCpuCapHits) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused, reclaimCpuNanos, reclaimBudgetUsedNanos, reclaimBudgetNanos);
    }

    /** This state with other reclaim CPU figures; everything else unchanged. */
    public GovernorState withReclaimCpu(long reclaimCpuNanos, long reclaimBudgetUsedNanos, long reclaimBudgetNanos) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused, reclaimCpuNanos, reclaimBudgetUsedNanos, reclaimBudgetNanos);
    }

    /** What the reclaim CPU budget has left over its window, in ns (never negative). */
    public long reclaimBudgetLeftNanos() {
        return Math.max(0, reclaimBudgetNanos - reclaimBudgetUsedNanos);
    }

    /** This state with other heap-dump counters; everything else unchanged. */
    public GovernorState withHeapDumps(long heapDumps, long heapDumpsRefused) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused, reclaimCpuNanos, reclaimBudgetUsedNanos, reclaimBudgetNanos);
    }
}
