package dev.headroom.internal.governor.softlimit;

/**
 * The reclaim CPU budget's books over a sliding window: what Headroom's actions and the GC work they
 * caused cost ({@link #charge}), against an allowance of {@code reclaimCpuBudget} times the process's
 * CPU over the same window. An idle process still gets a floor of {@value #FLOOR_CORES} of a core, so
 * memory held after the last burst can still be given back once; no credit is banked beyond the
 * window (Go's GC CPU limiter refuses credit for the same reason: a long idle spell must not pay for
 * a later spiral). Not thread-safe: the sampler thread owns it.
 */
final class ReclaimLedger {
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final double FLOOR_CORES = 0.1;
    private static final int CAPACITY = 512;

    private final double share;
    private final long[] times = new long[CAPACITY];
    private final long[] processCpu = new long[CAPACITY];
    private final long[] gcCpu = new long[CAPACITY];
    private int count;
    private int next;
    private final long[] chargeTimes = new long[CAPACITY];
    private final long[] chargeNanos = new long[CAPACITY];
    private final long[] chargeGcNanos = new long[CAPACITY];
    private int charges;
    private int nextCharge;
    private final long[] footprintTimes = new long[CAPACITY];
    private final long[] footprintNanos = new long[CAPACITY];
    private int footprints;
    private int nextFootprint;
    private long total;

    /** What the books say at one moment; every figure in CPU nanoseconds. */
    record Use(long usedNanos, long allowanceNanos, long totalNanos) {
        static final Use NONE = new Use(0, 0, 0);

        long leftNanos() {
            return Math.max(0, allowanceNanos - usedNanos);
        }

        /** Used over allowance; 0 when nothing is allowed yet. */
        double share() {
            return allowanceNanos <= 0 ? 0 : (double) usedNanos / allowanceNanos;
        }
    }

    /** @param budgetPercent {@code reclaimCpuBudget}, in percent */
    ReclaimLedger(double budgetPercent) {
        this.share = budgetPercent / 100.0;
    }

    double share() {
        return share;
    }

    /** One sample's cumulative CPU readings; -1 when unknown. */
    void sample(long now, long processCpuNanos, long gcCpuNanos) {
        if (count > 0 && now <= times[(next + CAPACITY - 1) % CAPACITY]) {
            return;
        }
        times[next] = now;
        processCpu[next] = processCpuNanos;
        gcCpu[next] = gcCpuNanos;
        next = (next + 1) % CAPACITY;
        count = Math.min(count + 1, CAPACITY);
    }

    /**
     * Books a cost at {@code now}, of which {@code gcNanos} is the collector's work (already in the GC
     * CPU readings: the law does not count it twice when it weighs what the collector does).
     */
    void charge(long now, long nanos, long gcNanos) {
        if (nanos <= 0) {
            return;
        }
        chargeTimes[nextCharge] = now;
        chargeNanos[nextCharge] = nanos;
        chargeGcNanos[nextCharge] = Math.max(0, Math.min(nanos, gcNanos));
        nextCharge = (nextCharge + 1) % CAPACITY;
        charges = Math.min(charges + 1, CAPACITY);
        total += nanos;
    }

    /** The books as of the newest sample. */
    Use use() {
        if (count == 0) {
            return Use.NONE;
        }
        long now = newest(times);
        long used = sumAfter(chargeTimes, chargeNanos, charges, nextCharge, now - WINDOW_NANOS);
        int from = oldestWithin(now - WINDOW_NANOS);
        long wall = now - times[from];
        long cpu = processCpu[from] >= 0 && newest(processCpu) >= 0 ? newest(processCpu) - processCpu[from] : 0;
        long base = Math.max(cpu, (long) (FLOOR_CORES * wall));
        return new Use(used, (long) (share * base), total);
    }

    /**
     * Notes what the steered footprint itself cost at {@code now} outside the collector's threads (the
     * page faults of heap it gave back and committed again). Not a reclaim charge: the law weighs it
     * with the collector's extra work.
     */
    void noteFootprint(long now, long nanos) {
        if (nanos <= 0) {
            return;
        }
        footprintTimes[nextFootprint] = now;
        footprintNanos[nextFootprint] = nanos;
        nextFootprint = (nextFootprint + 1) % CAPACITY;
        footprints = Math.min(footprints + 1, CAPACITY);
    }

    /** What the footprint cost after {@code since} ({@link #noteFootprint}). */
    long footprintSince(long since) {
        return sumAfter(footprintTimes, footprintNanos, footprints, nextFootprint, since);
    }

    /** The collector's work among the charges booked after {@code since}. */
    long chargedGcSince(long since) {
        return sumAfter(chargeTimes, chargeGcNanos, charges, nextCharge, since);
    }

    /** Sum of a ring's values booked after {@code since}, newest first ({@code n} kept, {@code next} the next slot). */
    private static long sumAfter(long[] times, long[] values, int n, int next, long since) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            int idx = (next + CAPACITY - 1 - i) % CAPACITY;
            if (times[idx] <= since) {
                break;
            }
            sum += values[idx];
        }
        return sum;
    }

    /** Wall time between the sample at or before {@code since} (else the oldest kept) and the newest. */
    long wallSince(long since) {
        return count == 0 ? 0 : newest(times) - times[oldestWithin(since)];
    }

    /** Process CPU between the sample at or before {@code since} and the newest; 0 when unknown. */
    long processCpuSince(long since) {
        return delta(processCpu, since);
    }

    /** GC CPU between the sample at or before {@code since} and the newest; 0 when unknown. */
    long gcCpuSince(long since) {
        return delta(gcCpu, since);
    }

    private long delta(long[] series, long since) {
        if (count == 0) {
            return 0;
        }
        int from = oldestWithin(since);
        long last = newest(series);
        return series[from] >= 0 && last >= 0 ? Math.max(0, last - series[from]) : 0;
    }

    private long newest(long[] series) {
        return series[(next + CAPACITY - 1) % CAPACITY];
    }

    /** The newest sample at or before {@code t}, else the oldest kept. */
    private int oldestWithin(long t) {
        int from = (next + CAPACITY - count) % CAPACITY;
        for (int i = count - 1; i >= 0; i--) {
            int idx = (next + CAPACITY - count + i) % CAPACITY;
            if (times[idx] <= t) {
                return idx;
            }
        }
        return from;
    }
}
