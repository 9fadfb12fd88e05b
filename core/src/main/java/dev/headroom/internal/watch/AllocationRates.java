package dev.headroom.internal.watch;

/**
 * The allocation rate of the last few collections, and from it when the next one comes. Eden fills
 * at the allocation rate and a young collection comes when it is full, so eden's size over the rate
 * is the time to the next. The rate counted is the highest of the last {@value #KEPT}: the first
 * collection after an idle spell measures the spell's average (a burst's first collection after ten
 * quiet seconds says the next one is ten seconds away while the burst brings it in a few hundred
 * milliseconds), and a projection that long turned every burst of a healthy service into a
 * predicted heap death. Not thread-safe: the sampler thread owns it.
 */
final class AllocationRates {
    static final int KEPT = 4;

    /** A collection whose rate is under this share of the highest before it followed a pause in allocation. */
    static final double QUIET_SHARE = 0.25;

    private final double[] bytesPerNano = new double[KEPT];
    private int next;
    private boolean quiet;

    /** A collection found {@code filledBytes} allocated over {@code overMillis}; ignored when not measurable. */
    void add(long filledBytes, long overMillis) {
        if (filledBytes > 0 && overMillis > 0) {
            double rate = filledBytes / (overMillis * 1e6);
            quiet = rate < QUIET_SHARE * highest();
            bytesPerNano[next] = rate;
            next = (next + 1) % KEPT;
        }
    }

    /**
     * Whether the latest collection came after a pause in allocation: its rate was under
     * {@link #QUIET_SHARE} of the highest of the ones before it (the first collection of a burst after
     * a quiet spell). A young generation that grew does not count: the rate is the same, only the
     * next collection comes later.
     */
    boolean latestFollowedAPause() {
        return quiet;
    }

    private double highest() {
        double max = 0;
        for (double r : bytesPerNano) {
            max = Math.max(max, r);
        }
        return max;
    }

    /**
     * The time an eden of {@code edenBytes} takes to fill at the highest recent rate;
     * {@link JvmCounters#UNKNOWN} with no eden or no rate yet.
     */
    long expectedStepNanos(long edenBytes) {
        double rate = highest();
        return edenBytes <= 0 || rate <= 0 ? JvmCounters.UNKNOWN : (long) (edenBytes / rate);
    }
}
