package dev.headroom.internal.watch;

/**
 * The allocation rate of the last collections, and from it when the next one comes. Eden fills at
 * the allocation rate and a young collection comes when it is full, so eden's size over the rate is
 * the time to the next.
 *
 * <p>The rate is the average over the newest readings back to {@link #SPAN_MILLIS}, not one reading's:
 * with the small eden a JVM starts with, Serial collects every few tens of milliseconds during any
 * short burst of allocation, and one such reading (150 MiB/s for 100 ms while Headroom's own
 * attribution started, in a leak of 10 MiB/s) made an eden grown to 40 MiB look 0.3 s from full
 * instead of 4 s: the heap's next step was projected at a tenth of its size, and the sample
 * Dockerfile's leak reached its {@code OutOfMemoryError} with the heap dump's checks a step late
 * (JDK 25). The average stops at a pause in allocation: the first collection after a quiet spell
 * measures the spell's average (a burst's first collection after ten quiet seconds says the next one
 * is ten seconds away while the burst brings it in a few hundred milliseconds), and a projection that
 * long turned every burst of a healthy service into a predicted heap death. So a reading that
 * followed a pause is left out while readings before it give the pace, and the average does not
 * reach back past one. Not thread-safe: the sampler thread owns it.
 */
final class AllocationRates {
    /** A reading whose rate is under this share of the pace before it followed a pause in allocation. */
    static final double QUIET_SHARE = 0.25;

    /** How far back the average reaches: a rate over a moment is the moment's, not the allocator's. */
    static final long SPAN_MILLIS = 2_000;

    /** Readings held for the average: enough for collections tens of milliseconds apart to cover the span. */
    static final int HELD = 64;

    private final long[] bytes = new long[HELD];
    private final long[] millis = new long[HELD];
    private final boolean[] quiet = new boolean[HELD];
    private int next;
    private int count;

    /** A collection found {@code filledBytes} allocated over {@code overMillis}; ignored when not measurable. */
    void add(long filledBytes, long overMillis) {
        if (filledBytes > 0 && overMillis > 0) {
            boolean afterPause = (double) filledBytes / overMillis < QUIET_SHARE * pace();
            bytes[next] = filledBytes;
            millis[next] = overMillis;
            quiet[next] = afterPause;
            next = (next + 1) % HELD;
            count = Math.min(count + 1, HELD);
        }
    }

    /**
     * Whether the latest collection came after a pause in allocation: its rate was under
     * {@link #QUIET_SHARE} of the pace before it (the first collection of a burst after a quiet spell).
     * A young generation that grew does not count: the rate is the same, only the next collection
     * comes later; nor does the pace's return after a moment's burst.
     */
    boolean latestFollowedAPause() {
        return count > 0 && quiet[index(0)];
    }

    /** The index of the reading {@code back} before the newest. */
    private int index(int back) {
        return Math.floorMod(next - 1 - back, HELD);
    }

    /**
     * The allocation rate in bytes per millisecond, averaged over the newest readings back to
     * {@link #SPAN_MILLIS}: from the newest, or from the one before it when the newest followed a
     * pause and that one did not, and never back past a reading that followed a pause; 0 with none.
     */
    private double pace() {
        if (count == 0) {
            return 0;
        }
        int back = quiet[index(0)] && count > 1 && !quiet[index(1)] ? 1 : 0;
        long filled = 0;
        long over = 0;
        do {
            int i = index(back);
            filled += bytes[i];
            over += millis[i];
            back++;
        } while (over < SPAN_MILLIS && back < count && !quiet[index(back)]);
        return (double) filled / over;
    }

    /**
     * The time an eden of {@code edenBytes} takes to fill at the recent pace;
     * {@link JvmCounters#UNKNOWN} with no eden or no rate yet.
     */
    long expectedStepNanos(long edenBytes) {
        double perMilli = pace();
        return edenBytes <= 0 || perMilli <= 0 ? JvmCounters.UNKNOWN : (long) (edenBytes / perMilli * 1e6);
    }
}
