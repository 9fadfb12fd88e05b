package dev.headroom.internal.governor.softlimit;

/**
 * What reclaims have found out about this JVM so far. Immutable: the sampler thread keeps the current
 * one, gives it to each {@link ReclaimTask} it starts, and takes the task's successor from its
 * {@link ReclaimOutcome}. Only one reclaim runs at a time, so no finding is lost.
 *
 * @param fruitless               collections in a row that returned (almost) nothing
 * @param liveBytes               heap used after the last collection (the live data); -1 before the first
 * @param trim                    the native heap trim may still be used (false once one found it missing)
 * @param fruitlessReported       futile collections have been reported (at most once)
 * @param youngGenerationReported Parallel keeping its young generation committed has been reported (at most once)
 */
record Findings(int fruitless, long liveBytes, boolean trim, boolean fruitlessReported, boolean youngGenerationReported) {
    /** Fruitless collections in a row after which collecting is called futile (and reported once). */
    static final int FUTILE_AFTER = 3;
    static final long MIN_RETRY_NANOS = 1_000_000_000L;
    static final long MAX_RETRY_NANOS = 60_000_000_000L;

    /** Before the first reclaim. */
    static Findings initial(boolean trim) {
        return new Findings(0, -1, trim, false, false);
    }

    /** The last {@value #FUTILE_AFTER} collections or more returned nothing. */
    boolean futile() {
        return fruitless >= FUTILE_AFTER;
    }

    /** How long to wait before the next collection: 1 s, doubled for each fruitless one, up to 1 min. */
    long retrySpacingNanos() {
        return Math.min(MAX_RETRY_NANOS, MIN_RETRY_NANOS << Math.min(6, fruitless));
    }
}
