package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts the reclaim policy's free share into the levers each collector honours while the soft limit
 * does not press: {@code Min/MaxHeapFreeRatio} where the collector sizes by them (Serial, Parallel,
 * G1), {@code SoftMaxHeapSize} where it is honoured (ZGC, Shenandoah; G1 from JDK 26), never below
 * the live data plus {@value ReclaimLaw#F_MIN} of room; and on G1 a {@code G1PeriodicGCInterval} (JEP
 * 346), so a quiet G1 runs a concurrent cycle and shrinks at its Remark without a forced full GC.
 * Changes under 5 points (5% for sizes) are not made. Each change is a {@code set_flag} event.
 * Sampler thread only.
 */
final class FootprintSteering {
    /** G1's periodic collection while Headroom steers: a concurrent cycle after 5 s without a GC. */
    static final long G1_PERIODIC_MILLIS = 5_000;

    private final Levers levers;
    private final HeapFlags flags;
    private final SoftLimitEvents report;
    private final Diagnostics diagnostics;

    FootprintSteering(Levers levers, HeapFlags flags, SoftLimitEvents report, Diagnostics diagnostics) {
        this.levers = levers;
        this.flags = flags;
        this.report = report;
        this.diagnostics = diagnostics;
    }

    /**
     * @param share free share after a collection, 0..1; 1 ({@link ReclaimLaw#JVMS_OWN}) gives the JVM its own flags back
     * @param live  the live data estimate in bytes; -1 when unknown (then SoftMaxHeapSize is left alone)
     * @param move  why the share last moved, or null (its start)
     */
    void apply(Reading r, double share, long live, ReclaimPolicy.FreeShareStep move) {
        Map<String, Object> changed = new LinkedHashMap<>();
        long target = -1;
        try {
            if (levers.collector().usesFreeRatios() && flags.ratiosWriteable()) {
                int maxFree = (int) Math.round(share * 100);
                maxFree = Math.max(SoftLimitSteering.FLOOR_MAX_FREE, Math.min(flags.originalMaxFree(), maxFree));
                int minFree = share >= ReclaimLaw.JVMS_OWN ? flags.originalMinFree() : Math.min(flags.originalMinFree(), maxFree / 2);
                if (Math.abs(maxFree - flags.maxFree()) >= 5 || (maxFree != flags.maxFree()
                        && (maxFree == SoftLimitSteering.FLOOR_MAX_FREE || maxFree == flags.originalMaxFree()))) {
                    flags.ratios(minFree, maxFree);
                    changed.put(HeapFlags.MIN_FREE, minFree);
                    changed.put(HeapFlags.MAX_FREE, maxFree);
                }
            }
            if (levers.steersBySoftMax() && flags.softMaxWriteable() && live > 0) {
                double room = Math.max(ReclaimLaw.F_MIN, Math.min(0.95, share));
                target = Math.min(flags.originalSoftMax(), Math.max(SoftLimitSteering.MIN_SOFT_MAX, (long) (live / (1 - room))));
                long current = flags.softMax();
                if (Math.abs(target - current) > Math.max(4 * Reading.MIB, current / 20)) {
                    flags.softMax(target);
                    changed.put(HeapFlags.SOFT_MAX, target);
                }
            }
            // The JVM's own flags (a probe of its footprint) include its own periodic collection: none.
            long periodic = share >= ReclaimLaw.JVMS_OWN ? flags.originalPeriodic() : G1_PERIODIC_MILLIS;
            if (levers.collector() == Collector.G1 && flags.periodicWriteable() && flags.originalPeriodic() == 0
                    && flags.periodic() != periodic) {
                flags.periodic(periodic);
                changed.put(HeapFlags.G1_PERIODIC, periodic);
            }
        } catch (IllegalArgumentException e) {
            diagnostics.failure("reclaim: setting heap flags", e);
        }
        if (!changed.isEmpty()) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("flags", changed);
            extra.put("freeShare", Math.round(share * 1000) / 1000.0);
            if (target >= 0) {
                extra.put("targetHeapBytes", target);
            }
            if (move != null) {
                extra.put("collectorExtraCpuMs", move.collectorExtraNanos() / 1_000_000);
                extra.put("heapRefaultCpuMs", move.refaultNanos() / 1_000_000);
                extra.put("baselineGcPercent", Math.round(move.baselineGcShare() * 1000) / 10.0);
            }
            report.action(true, "set_flag", (share >= ReclaimLaw.JVMS_OWN ? "the reclaim law gives the heap back the JVM's own flags"
                    : "the reclaim law steers the heap to keep at most " + SoftLimitEvents.pct(share) + " free after a collection")
                    + (target >= 0 ? " (target " + Values.humanBytes(target) + ")" : "") + ": " + SoftLimitEvents.describe(changed)
                    + (move != null ? " (" + move.why() + ")" : ""), r.moment(), extra);
        }
    }
}
