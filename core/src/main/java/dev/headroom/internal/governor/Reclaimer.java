package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;

/**
 * The soft-limit and idle-reclaim hook. When {@code softLimit} or {@code idleReclaim} is on, the
 * governor calls {@link #onSample} on the sampler thread after every sample, then lets the
 * reclaimer fill in its part of the published {@link GovernorState}. It must return quickly (start
 * long work on its own thread), must not throw (the governor contains and reports it once if it
 * does) and reports what it did through {@code EventSink#softLimit}.
 */
public interface Reclaimer {

    /** A reclaimer that does nothing. */
    Reclaimer NONE = new Reclaimer() {
        @Override
        public void onSample(Budget budget, long nowNanos) {
        }

        @Override
        public GovernorState contribute(GovernorState state) {
            return state;
        }
    };

    /**
     * @param budget   the latest budget
     * @param nowNanos the sampler's monotonic clock ({@code System.nanoTime()} in production)
     */
    void onSample(Budget budget, long nowNanos);

    /**
     * Returns {@code state} with the reclaimer's fields set: {@code softLimitBytes},
     * {@code overSoftLimit}, {@code actions}, {@code bytesReturned}, {@code gcCpuCapHits}. The level
     * and heap-dump counters belong to the governor and must be passed through unchanged.
     */
    GovernorState contribute(GovernorState state);

    /** Stops whatever the reclaimer started (restores changed VM flags if it chose to). */
    default void close() {
    }
}
