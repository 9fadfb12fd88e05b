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
 */
public record GovernorState(
        PressureLevel level,
        OptionalLong softLimitBytes,
        boolean overSoftLimit,
        long actions,
        long bytesReturned,
        long gcCpuCapHits,
        long heapDumps,
        long heapDumpsRefused) {

    /** The state before the governor has seen a sample. */
    public static GovernorState initial() {
        return new GovernorState(PressureLevel.OK, OptionalLong.empty(), false, 0, 0, 0, 0, 0);
    }

    /** This state at another pressure level; everything else unchanged. */
    public GovernorState withLevel(PressureLevel level) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused);
    }

    /** This state with another soft limit and over-the-soft-limit flag; everything else unchanged. */
    public GovernorState withSoftLimit(OptionalLong softLimitBytes, boolean overSoftLimit) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused);
    }

    /** This state with other reclaim totals; everything else unchanged. */
    public GovernorState withReclaimTotals(long actions, long bytesReturned, long gcCpuCapHits) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused);
    }

    /** This state with other heap-dump counters; everything else unchanged. */
    public GovernorState withHeapDumps(long heapDumps, long heapDumpsRefused) {
        return new GovernorState(level, softLimitBytes, overSoftLimit, actions, bytesReturned, gcCpuCapHits,
                heapDumps, heapDumpsRefused);
    }
}
