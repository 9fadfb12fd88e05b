package dev.headroom;

/**
 * Receives budgets, level changes and events. Every method is called on one daemon thread named
 * {@code headroom-listeners}, never on the sampler or on an application thread, in the order things
 * happened. The thread is fed through a bounded queue: a listener slower than the sampler misses
 * older budgets (at most four wait; only the latest matters), while level changes and events are
 * dropped only if 1024 items pile up (counted and reported once). A listener that throws is reported
 * once and keeps being called.
 */
public interface HeadroomListener {

    /** Every sample's budget. */
    default void onBudget(Budget budget) {
    }

    /** The pressure level changed; {@code budget} is the sample that changed it. */
    default void onLevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
    }

    /** Every event, as written to the event log. */
    default void onEvent(HeadroomEvent event) {
    }

    /**
     * Headroom asks the application to shed memory it can spare (caches, pools, buffers): on idle
     * reclaim, and while the working set is above the soft limit. Called on the same
     * {@code headroom-listeners} thread as everything else here, never on the sampler; a listener that
     * throws is reported once and does not stop the governor. What was given back shows in the next
     * budgets' working set.
     */
    default void onReclaimRequest(ReclaimRequest request) {
    }
}
