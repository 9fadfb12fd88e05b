package dev.headroom.internal.runtime;

import dev.headroom.Budget;

import java.util.concurrent.TimeUnit;

/**
 * How long the sampler waits before the next sample. The base is {@code interval}; it shrinks so
 * that at least {@value #SAMPLES_BEFORE_LIMIT} samples fall in the time left before the limit, using
 * the faster of two growth estimates — the budget's trend and the change since the previous sample
 * (the trend window lags a sudden leak) — and, independent of growth, in proportion to headroom once
 * less than {@value #TIGHT_HEADROOM_PERCENT}% of the limit is left. Never below
 * {@link #FLOOR_NANOS}: below that, sampling itself would be a noticeable cost.
 *
 * <p>Example: 1 GiB limit, 300 MiB used, leaking 300 MiB/s. The second sample (1 s later) sees
 * 600 MiB and 424 MiB headroom: 1.4 s to the limit, so the next wait is 140 ms, and every wait after
 * that shrinks with the headroom — about ten samples before the kill instead of one.
 */
public final class AdaptivePeriod {
    public static final long FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * At rest, with the watch on, the wait doubles up to this many base periods. A budget costs an
     * idle JVM 1-2 ms of CPU (its code runs too rarely to be compiled), so at 8 periods the budgets
     * alone were 0.02% of a core; the watch sees every threshold in between.
     */
    static final int MAX_REST_FACTOR = 16;
    /** A change of the working set below this share of the limit (or of itself) counts as rest. */
    static final double REST_CHANGE = 0.01;
    static final int SAMPLES_BEFORE_LIMIT = 10;
    static final int TIGHT_HEADROOM_PERCENT = 20;

    private final long baseNanos;
    private long previousNanos = Long.MIN_VALUE;
    private long previousWorkingSet;
    private final boolean watched;
    private int restFactor = 1;

    public AdaptivePeriod(long baseNanos) {
        this(baseNanos, false);
    }

    /**
     * @param watched true when the watch runs beside the budget: every threshold crossing then runs
     *                the budget at once, so at rest (the working set moving by less than 1% of the
     *                limit between samples, nothing shortening the wait) the wait may double, up to
     *                {@value #MAX_REST_FACTOR} base periods. An idle service then pays for a full
     *                sample every 8 s instead of every second; the first change brings it back to
     *                the base period.
     */
    public AdaptivePeriod(long baseNanos, boolean watched) {
        this.baseNanos = baseNanos;
        this.watched = watched;
    }

    public long baseNanos() {
        return baseNanos;
    }

    /** The wait after the sample {@code budget}, taken at {@code nowNanos}. */
    public long next(Budget budget, long nowNanos) {
        return next(budget, nowNanos, true);
    }

    /** @param mayRest false while something needs a sample every base period (a reclaim in flight) */
    public long next(Budget budget, long nowNanos, boolean mayRest) {
        long floor = Math.min(FLOOR_NANOS, baseNanos);
        double period = baseNanos;
        long ws = budget.workingSetBytes();
        long headroom = Long.MAX_VALUE;
        if (budget.limitBytes().isPresent()) {
            headroom = budget.limitBytes().getAsLong() - ws;
        }
        if (budget.headroomBytes().isPresent()) {
            headroom = Math.min(headroom, budget.headroomBytes().getAsLong());
        }
        double growth = budget.growthBytesPerSecond().orElse(0);
        boolean rest = previousNanos != Long.MIN_VALUE && Math.abs(ws - previousWorkingSet)
                < REST_CHANGE * budget.limitBytes().orElse(Math.max(ws, 1));
        if (previousNanos != Long.MIN_VALUE && nowNanos > previousNanos) {
            double recent = (ws - previousWorkingSet) / ((nowNanos - previousNanos) / 1e9);
            growth = Math.max(growth, recent);
        }
        previousNanos = nowNanos;
        previousWorkingSet = ws;

        if (headroom != Long.MAX_VALUE) {
            if (growth > 0) {
                double secondsLeft = Math.max(0, headroom) / growth;
                period = Math.min(period, secondsLeft * 1e9 / SAMPLES_BEFORE_LIMIT);
            }
            if (budget.limitBytes().isPresent() && budget.limitBytes().getAsLong() > 0) {
                double share = Math.max(0, headroom) * 100.0 / budget.limitBytes().getAsLong();
                if (share < TIGHT_HEADROOM_PERCENT) {
                    period = Math.min(period, baseNanos * share / TIGHT_HEADROOM_PERCENT);
                }
            }
        }
        if (watched && mayRest && rest && period >= baseNanos) {
            restFactor = Math.min(MAX_REST_FACTOR, restFactor * 2);
            return baseNanos * restFactor;
        }
        restFactor = 1;
        return Math.max(floor, (long) period);
    }
}
