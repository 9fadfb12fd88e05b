package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;

/**
 * The soft-limit and idle-reclaim hook. When {@code softLimit} or {@code idleReclaim} is on, the
 * governor calls {@link #onSample} on the sampler thread after every sample, once, and publishes the
 * state it returns. It must return quickly (start long work on its own thread), must not throw (the
 * governor contains and reports it once if it does) and reports what it did through its events.
 */
public interface Reclaimer {

    /** A reclaimer that does nothing. */
    Reclaimer NONE = new Reclaimer() {
        @Override
        public GovernorState onSample(Budget budget, long nowNanos, GovernorState current) {
            return current;
        }
    };

    /**
     * Acts on one sample and returns {@code current} with the reclaimer's fields set:
     * {@code softLimitBytes}, {@code overSoftLimit}, {@code actions}, {@code bytesReturned},
     * {@code gcCpuCapHits}. The level and heap-dump counters belong to the governor, which keeps its
     * own whatever comes back.
     *
     * @param budget   the latest budget
     * @param nowNanos the sampler's monotonic clock (the runtime's {@code Ticker})
     * @param current  the governor's state for this sample, its level and dump counters already set
     */
    GovernorState onSample(Budget budget, long nowNanos, GovernorState current);

    /**
     * True while it has something to give back or a reclaim in flight: the budget then keeps its base
     * period (at rest it may otherwise wait up to 8 periods), so the reclaimer judges and reports in time.
     */
    default boolean busy() {
        return false;
    }

    /** Stops whatever the reclaimer started (restores changed VM flags if it chose to). */
    default void close() {
    }
}
