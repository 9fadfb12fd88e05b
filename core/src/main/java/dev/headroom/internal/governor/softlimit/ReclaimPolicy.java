package dev.headroom.internal.governor.softlimit;

import java.util.OptionalDouble;
import java.util.Optional;

/**
 * When, and how tightly, to give memory back while the soft limit does not press: the replaceable
 * half of reclaim. The controller keeps the mechanism (it steers the heap flags to the share of free
 * heap the policy wants, asks the application's listeners, collects, trims, measures and reports); a
 * policy says how tight, when, how much and why, and is told what each reclaim returned. The one in
 * use is {@link ReclaimLaw}.
 *
 * <p>Called on the sampler thread only, so an implementation needs no synchronisation. It must
 * return quickly and not throw.
 */
interface ReclaimPolicy {

    /**
     * A reclaim to do now.
     *
     * @param bytesWanted what the application's listeners are asked to give back
     * @param reason      why now, for people: it heads the reclaim's events and the listeners' request
     */
    record Reclaim(long bytesWanted, String reason) {
    }

    /** Called once, on the first sample, when the levers are known and events can be written. */
    default void begin(Levers levers, HeapFlags flags, SoftLimitEvents report) {
    }

    /** Sees every sample first, also while a reclaim runs or the soft limit presses. */
    void observe(Reading reading);

    /**
     * Whether to reclaim now. Asked after {@link #observe} only when reclaim is on, no reclaim is
     * running and the working set is below 90% of the soft limit. Collections and trims the JVM lacks
     * are left out by the controller, which then counts the growth as handled.
     */
    Optional<Reclaim> due(Reading reading);

    /**
     * Every reclaim's outcome, the policy's or the soft limit's, on the sample that takes it. The
     * default ignores it.
     */
    default void reclaimed(ReclaimOutcome outcome) {
    }

    /** Whether a reclaim it finds due may force a collection (else it only asks listeners and trims). */
    default boolean collects() {
        return true;
    }

    /**
     * The share of the heap that may stay free after a collection (0..1) the heap flags should be
     * steered to while the soft limit does not press; empty leaves the flags as they are, and 1
     * ({@link ReclaimLaw#JVMS_OWN}) puts back the JVM's own.
     */
    default OptionalDouble freeShare() {
        return OptionalDouble.empty();
    }

    /** Why the free share last moved, with the figures behind it; null while it has not moved. */
    default FreeShareStep lastMove() {
        return null;
    }

    /**
     * One move of the free share: why, in words, and what the footprint cost over the budget's window:
     * the collector's work above its own share, and the page faults of heap committed again.
     */
    record FreeShareStep(String why, long collectorExtraNanos, long refaultNanos, double baselineGcShare) {
    }

    /** The live data estimate in bytes the footprint is steered from; -1 when unknown. */
    default long liveEstimate() {
        return -1;
    }

    /** The reclaim CPU budget's books, for the governor state. */
    default ReclaimLedger.Use use() {
        return ReclaimLedger.Use.NONE;
    }
}
