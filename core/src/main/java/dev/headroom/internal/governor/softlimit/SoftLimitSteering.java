package dev.headroom.internal.governor.softlimit;

import dev.headroom.ReclaimRequest;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The soft limit (GOMEMLIMIT for Java). Per sample, with {@code S} the soft limit and {@code ws} the
 * working set:
 * <ol>
 *   <li>{@code ws >= 90% S} ({@link #press}): if the collector's cost over the last 10 s
 *       ({@link GcLoad}) is at or above {@code gcCpuCap}, back off: put the heap flags back, let the
 *       working set exceed S, and ask the application's listeners ({@link ReclaimRequest.Level#URGENT}).
 *       Otherwise steer the heap toward {@code S - (ws - heap committed)}: {@code SoftMaxHeapSize}
 *       where the collector honours it, {@code Min/MaxHeapFreeRatio} where it sizes by them.</li>
 *   <li>{@code ws >= S}: also collect (as many collections as the collector needs to shrink), trim
 *       the native heap when the non-heap part grew, and ask listeners. Collections are paced: the
 *       heap must have grown since the last one, and a collection that returned nothing doubles the
 *       wait for the next (1 s up to 1 min).</li>
 *   <li>{@code ws < 80% S} ({@link #ease}): put back the flags it moved (the reclaim policy then
 *       steers them again).</li>
 * </ol>
 * It decides and steers flags; the collections and trims it wants it returns as a
 * {@link ReclaimTask.Plan} for the controller to run. Sampler thread only.
 */
final class SoftLimitSteering {
    static final double APPROACH = 0.90;
    static final double RELAX = 0.80;
    /** Leave a GC CPU back-off only once the load is under this share of the cap (hysteresis). */
    static final double RESUME = 0.80;
    /** Tightest steering: the heap may be at most ~11% larger than its live data after a GC. */
    static final int FLOOR_MAX_FREE = 10;
    static final long MIN_SOFT_MAX = 16 * Reading.MIB;

    private final Levers levers;
    private final HeapFlags flags;
    private final SoftLimitEvents report;
    private final ListenerRequests listeners;
    private final Diagnostics diagnostics;
    private final double capPercent;
    private final double cap;
    private boolean backingOff;
    private boolean overSoftLimit;
    /** The flags were moved by the soft limit (not by the reclaim policy): {@link #ease} puts them back. */
    private boolean steered;
    private long capHits;
    private long lastCollectNanos = Long.MIN_VALUE;
    private long heapUsedAtLastCollect = -1;

    /** @param gcCpuCapPercent {@code gcCpuCap} as configured, in percent */
    SoftLimitSteering(Levers levers, HeapFlags flags, SoftLimitEvents report, ListenerRequests listeners,
                      Diagnostics diagnostics, double gcCpuCapPercent) {
        this.levers = levers;
        this.flags = flags;
        this.report = report;
        this.listeners = listeners;
        this.diagnostics = diagnostics;
        this.capPercent = gcCpuCapPercent;
        this.cap = gcCpuCapPercent / 100.0;
    }

    /** The working set is within 10% of the soft limit or above it: {@link #press} this sample, else {@link #ease}. */
    static boolean presses(Reading r) {
        return r.softLimit().isPresent() && r.workingSet() >= r.softLimit().getAsLong() * APPROACH;
    }

    /** True while the working set is above the soft limit and the governor cannot bring it down. */
    boolean overSoftLimit() {
        return overSoftLimit;
    }

    /** Samples on which the GC CPU cap held the governor back. */
    long capHits() {
        return capHits;
    }

    /** A collection started (the soft limit's or idle reclaim's): the next is paced from it. */
    void collectionStarted(ReclaimTask.Plan plan) {
        lastCollectNanos = plan.decidedAtNanos();
        heapUsedAtLastCollect = plan.heapUsed();
    }

    /** A sample at or above {@value #APPROACH} of the soft limit; returns the reclaim to start, if any. */
    Optional<ReclaimTask.Plan> press(Reading r) {
        long soft = r.softLimit().getAsLong();
        long ws = r.workingSet();
        boolean over = ws >= soft;
        boolean capReached = r.gcLoad() >= (backingOff ? cap * RESUME : cap);
        if (capReached) {
            capHits++;
            overSoftLimit = over;
            if (!backingOff) {
                backingOff = true;
                Map<String, Object> restored = r.reclaiming() ? Map.of() : restore(flags, diagnostics);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("restoredFlags", restored);
                report.action(false, "back_off", String.format(Locale.ROOT, "GC took %.0f%% of the CPU over the last %d s, "
                                + "at or above gcCpuCap=%s: backing off and letting the working set exceed the soft limit",
                        r.gcLoad() * 100, GcLoad.WINDOW_NANOS / 1_000_000_000L, Values.formatPercent(capPercent)),
                        r.moment(), extra);
            }
            if (over) {
                listeners.ask(r.budget(), r.nowNanos(), ReclaimRequest.Level.URGENT, ws - (long) (soft * APPROACH),
                        "above the soft limit and the GC CPU cap is reached: only the application can give memory back now",
                        r.moment());
            }
            return Optional.empty();
        }
        if (backingOff) {
            backingOff = false;
            report.action(false, "resume", String.format(Locale.ROOT, "GC CPU fell to %.0f%%, under %.0f%% of gcCpuCap",
                    r.gcLoad() * 100, RESUME * 100), r.moment(), Map.of());
        }
        if (r.reclaiming()) {
            return Optional.empty();
        }
        steer(r, soft);
        if (!over) {
            overSoftLimit = false;
            return Optional.empty();
        }
        boolean futile = r.findings().futile();
        overSoftLimit = futile;
        listeners.ask(r.budget(), r.nowNanos(), futile ? ReclaimRequest.Level.URGENT : ReclaimRequest.Level.SOFT_LIMIT,
                ws - (long) (soft * APPROACH), futile
                        ? "above the soft limit and collections are returning nothing"
                        : "above the soft limit", r.moment());
        if (collectDue(r)) {
            return Optional.of(r.plan(false, true, r.trimDue(), "working set " + Values.humanBytes(ws)
                    + " is above the soft limit " + Values.humanBytes(soft)));
        }
        if (r.trimDue()) {
            return Optional.of(r.plan(false, false, true, "non-heap memory grew above the soft limit"));
        }
        return Optional.empty();
    }

    /** A sample below {@value #APPROACH} of the soft limit, or without one: leave a back-off, put the flags back. */
    void ease(Reading r) {
        overSoftLimit = false;
        if (backingOff) {
            backingOff = false;
            report.action(false, "resume", "the working set fell below " + SoftLimitEvents.pct(APPROACH) + " of the soft limit",
                    r.moment(), Map.of());
        }
        if (steered && flags.changed() && !r.reclaiming()
                && (r.softLimit().isEmpty() || r.workingSet() < r.softLimit().getAsLong() * RELAX)) {
            steered = false;
            Map<String, Object> restored = restore(flags, diagnostics);
            if (!restored.isEmpty()) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("flags", restored);
                report.action(false, "restore_flags", "the working set fell below " + SoftLimitEvents.pct(RELAX)
                        + " of the soft limit: heap flags back to their starting values ("
                        + SoftLimitEvents.describe(restored) + ")", r.moment(), extra);
            }
        }
    }

    /** Moves the heap flags toward a heap that fits: {@code soft limit - non-heap part of the working set}. */
    private void steer(Reading r, long soft) {
        long ws = r.workingSet();
        long heapCommitted = r.budget().jvm().heapCommittedBytes();
        long target = Math.max(0, soft - Math.max(0, ws - heapCommitted));
        Map<String, Object> changed = new LinkedHashMap<>();
        try {
            if (levers.steersBySoftMax() && flags.softMaxWriteable()) {
                long value = Math.min(flags.originalSoftMax(), Math.max(MIN_SOFT_MAX, target));
                long current = flags.softMax();
                if (Math.abs(value - current) > Math.max(4 * Reading.MIB, current / 20)) {
                    flags.softMax(value);
                    changed.put(HeapFlags.SOFT_MAX, value);
                }
            }
            if (levers.collector().usesFreeRatios() && flags.ratiosWriteable()) {
                long live = r.findings().liveBytes() >= 0 ? r.findings().liveBytes() : r.budget().jvm().heapUsedBytes();
                int maxFree = target <= live ? FLOOR_MAX_FREE
                        : (int) Math.floor(100.0 * (1.0 - (double) live / target));
                maxFree = Math.max(FLOOR_MAX_FREE, Math.min(flags.originalMaxFree(), maxFree));
                int minFree = Math.min(flags.originalMinFree(), maxFree / 2);
                if (Math.abs(maxFree - flags.maxFree()) >= 5 || (maxFree != flags.maxFree() && maxFree == FLOOR_MAX_FREE)) {
                    flags.ratios(minFree, maxFree);
                    changed.put(HeapFlags.MIN_FREE, minFree);
                    changed.put(HeapFlags.MAX_FREE, maxFree);
                }
            }
        } catch (IllegalArgumentException e) {
            diagnostics.failure("soft limit: setting heap flags", e);
        }
        if (!changed.isEmpty()) {
            steered = true;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("flags", changed);
            extra.put("targetHeapBytes", target);
            report.action(false, "set_flag", "working set " + Values.humanBytes(ws) + " is within "
                    + SoftLimitEvents.pct(1 - APPROACH) + " of the soft limit: steering the heap toward "
                    + Values.humanBytes(target) + " (" + SoftLimitEvents.describe(changed) + ")", r.moment(), extra);
        }
    }

    /** A forced collection can return memory, the last one is long enough ago, and the heap has grown since. */
    private boolean collectDue(Reading r) {
        if (!levers.canCollect()) {
            return false;
        }
        if (lastCollectNanos != Long.MIN_VALUE) {
            if (r.nowNanos() - lastCollectNanos < r.findings().retrySpacingNanos()) {
                return false;
            }
            // Something new to collect: the heap grew since what the last collection left.
            long used = r.budget().jvm().heapUsedBytes();
            long base = r.findings().liveBytes() >= 0 ? r.findings().liveBytes() : heapUsedAtLastCollect;
            if (base >= 0 && used - base < r.minReclaim() && r.budget().jvm().heapCommittedBytes() - used < r.minReclaim()) {
                return false;
            }
        }
        return true;
    }

    /** Puts every changed heap flag back; what was put back (name to value), empty when the VM refused. */
    static Map<String, Object> restore(HeapFlags flags, Diagnostics diagnostics) {
        try {
            return flags.restore();
        } catch (IllegalArgumentException e) {
            diagnostics.failure("soft limit: restoring heap flags", e);
            return Map.of();
        }
    }
}
