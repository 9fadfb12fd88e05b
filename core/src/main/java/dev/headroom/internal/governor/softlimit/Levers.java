package dev.headroom.internal.governor.softlimit;

import java.util.List;

/**
 * What the governor can pull in this JVM: found once, on the first sample, by {@link LeverDetection},
 * and never changed afterwards (the one lever that can still vanish, the native heap trim, is found
 * missing by the first trim, which reports it and turns {@link Findings#trim()} false). Immutable:
 * the sampler thread and the reclaim thread both read it.
 *
 * @param collector          the running collector
 * @param jdkFeature         the JDK feature release (which collectors honour {@code SoftMaxHeapSize})
 * @param explicitGc         {@code System.gc()} collects (no {@code -XX:+DisableExplicitGC})
 * @param explicitGcShrinks  the collector resizes its heap after an explicit collection
 * @param shrinkHeapInSteps  Serial's {@code ShrinkHeapInSteps}
 * @param trim               a native heap trim is wanted and may exist
 * @param idleDetection      process CPU time can be read (the reclaim budget is a share of it)
 * @param uncommitWaitMillis how long a reclaim waits out the collector's uncommit delay before measuring
 * @param generationalZgc    the collector is generational ZGC ({@code -XX:+ZGenerational} on JDK 21 to 23, always from 24)
 * @param unavailable        the levers this JVM lacks and why, in the order found; each is reported once
 */
record Levers(Collector collector, int jdkFeature, boolean explicitGc, boolean explicitGcShrinks,
              boolean shrinkHeapInSteps, boolean trim, boolean idleDetection, long uncommitWaitMillis,
              boolean generationalZgc, List<Unavailable> unavailable) {

    Levers {
        unavailable = List.copyOf(unavailable);
    }

    /**
     * A lever this JVM lacks, reported as a {@code lever_unavailable} event.
     *
     * @param idle   reported as idle reclaim's ({@code idle_reclaim}) rather than the soft limit's
     * @param lever  the lever's name in the event
     * @param reason what is missing, what it costs, and how to get it
     */
    record Unavailable(boolean idle, String lever, String reason) {
    }

    /** A collection Headroom forces can return memory here. */
    boolean canCollect() {
        return explicitGc && explicitGcShrinks && collector.canShrink();
    }

    /** The collector steers its heap by {@code SoftMaxHeapSize} on this JDK. */
    boolean steersBySoftMax() {
        return collector.honoursSoftMaxHeapSize(jdkFeature);
    }
}
