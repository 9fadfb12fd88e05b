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
}
