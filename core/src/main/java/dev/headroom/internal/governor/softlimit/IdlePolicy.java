package dev.headroom.internal.governor.softlimit;

import java.util.Optional;

/**
 * When to reclaim memory from an application that is not using it: the replaceable half of idle
 * reclaim. The controller keeps the mechanism (it asks the application's listeners, collects with
 * tight free ratios, trims, measures and reports); a policy only says when, how much and why. The
 * one in use is {@link QuietPeriodPolicy}.
 *
 * <p>Called on the sampler thread only, so an implementation needs no synchronisation. It must
 * return quickly and not throw.
 */
interface IdlePolicy {

    /**
     * An idle reclaim to do now.
     *
     * @param bytesWanted what the application's listeners are asked to give back
     * @param reason      why now, for people: it heads the reclaim's events and the listeners' request
     */
    record Reclaim(long bytesWanted, String reason) {
    }

    /** Sees every sample first, also while a reclaim runs or the soft limit presses. */
    void observe(Reading reading);

    /**
     * Whether to reclaim now. Asked after {@link #observe} only when idle reclaim is on, process CPU
     * time can be read, no reclaim is running and the working set is below 90% of the soft limit.
     * Collections and trims the JVM lacks are left out by the controller, which then counts the
     * growth as handled.
     */
    Optional<Reclaim> due(Reading reading);

    /**
     * Every reclaim's outcome, idle or the soft limit's, on the sample that takes it (what a CPU
     * budget would charge). The default ignores it.
     */
    default void reclaimed(ReclaimOutcome outcome) {
    }
}
