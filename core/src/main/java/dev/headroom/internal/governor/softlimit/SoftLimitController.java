package dev.headroom.internal.governor.softlimit;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.ReclaimRequest;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Reclaimer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * The soft limit (GOMEMLIMIT for Java) and idle reclaim. Decides on the sampler thread, acts on a
 * reclaim thread (a collection is a pause; the sampler must keep its cadence), one action at a time.
 *
 * <p>Per sample, with {@code S} the soft limit and {@code ws} the working set:
 * <ol>
 *   <li>{@code ws >= 90% S}: if the collector's cost over the last 10 s ({@link GcLoad}) is at or
 *       above {@code gcCpuCap}, back off: put the heap flags back, let the working set exceed S, and
 *       ask the application's listeners ({@link ReclaimRequest.Level#URGENT}). Otherwise steer the
 *       heap toward {@code S - (ws - heap committed)}: {@code SoftMaxHeapSize} where the collector
 *       honours it, {@code Min/MaxHeapFreeRatio} where it sizes by them.</li>
 *   <li>{@code ws >= S}: also collect (as many collections as the collector needs to shrink), trim
 *       the native heap when the non-heap part grew, and ask listeners. Collections are paced: the
 *       heap must have grown since the last one, and a collection that returned nothing doubles the
 *       wait for the next (1 s up to 1 min).</li>
 *   <li>{@code ws < 80% S}: put the flags back.</li>
 *   <li>Idle reclaim (with or without a soft limit): when the application has used under
 *       {@value #IDLE_CORES} of a core for {@code idleReclaimAfter} and the working set has grown by
 *       at least {@link #minReclaimBytes} since its low point after the last reclaim, collect with
 *       tight free ratios, trim, and ask listeners ({@link ReclaimRequest.Level#IDLE}).</li>
 * </ol>
 * Every action is an event ({@code soft_limit} or {@code idle_reclaim}) with its reason and its
 * effect. Levers that are unavailable (explicit GC disabled, flags not manageable, Epsilon, no trim,
 * a long uncommit delay) are detected on the first sample and reported once.
 */
public final class SoftLimitController implements Reclaimer {
    static final double APPROACH = 0.90;
    static final double RELAX = 0.80;
    /** Leave a GC CPU back-off only once the load is under this share of the cap (hysteresis). */
    static final double RESUME = 0.80;
    static final double IDLE_CORES = 0.05;
    static final long MIB = 1L << 20;
    static final long MIN_RECLAIM_FLOOR = 16 * MIB;
    static final double MIN_RECLAIM_SHARE = 0.02;
    /** Tightest steering: the heap may be at most ~11% larger than its live data after a GC. */
    static final int FLOOR_MAX_FREE = 10;
    static final long MIN_SOFT_MAX = 16 * MIB;

    private final HeadroomConfig config;
    private final EventSink events;
    private final Diagnostics diagnostics;
    private final VmLevers vm;
    private final CpuMeter meter;
    private final ReclaimRunner runner;
    private final int jdkFeature;
    private final ReclaimTask.Timing timing;
    private final HeapFlags flags;
    private final GcLoad load = new GcLoad();
    private final double cap;

    // Sampler-thread state (all of it: the reclaim thread's results arrive as a ReclaimOutcome).
    /** Found on the first sample; null before. */
    private Levers levers;
    private SoftLimitEvents report;
    private ListenerRequests listeners;
    private ReclaimTask.Tools tools;
    private Collector collector = Collector.UNKNOWN;
    private Findings findings;
    private long reclaimActions;
    private long reclaimBytesReturned;
    private long capHits;
    private OptionalLong softLimit = OptionalLong.empty();
    private boolean overSoftLimit;
    private boolean backingOff;
    private long idleSince = Long.MIN_VALUE;
    private long lowWater = Long.MAX_VALUE;
    private long nativeLowWater = Long.MAX_VALUE;
    /** Lowest readings while a reclaim ran: where it got to, even if the next burst began before it finished measuring. */
    private long reclaimLow = Long.MAX_VALUE;
    private long reclaimNativeLow = Long.MAX_VALUE;
    private long lastWorkingSet = -1;
    private long lastIdleReclaimNanos = Long.MIN_VALUE;
    private long lastCollectNanos = Long.MIN_VALUE;
    private long heapUsedAtLastCollect = -1;
    private boolean resetLowWater;

    SoftLimitController(HeadroomConfig config, EventSink events, Diagnostics diagnostics, VmLevers vm,
                        CpuMeter meter, Executor executor, int jdkFeature, ReclaimTask.Timing timing) {
        this.config = config;
        this.events = events;
        this.diagnostics = diagnostics;
        this.vm = vm;
        this.meter = meter;
        this.runner = new ReclaimRunner(executor);
        this.jdkFeature = jdkFeature;
        this.timing = timing;
        this.flags = new HeapFlags(vm);
        this.cap = config.gcCpuCap() / 100.0;
    }

    @Override
    public GovernorState onSample(Budget budget, long now, GovernorState current) {
        act(budget, now);
        // An executor that ran the reclaim inline (or one that finished meanwhile) counts on this sample.
        take(runner.poll());
        return current.withSoftLimit(softLimit, overSoftLimit)
                .withReclaimTotals(reclaimActions + listeners.asked(), reclaimBytesReturned, capHits);
    }

    /** Applies what a finished reclaim handed back: the only way its results reach this state. */
    private void take(ReclaimOutcome outcome) {
        if (outcome == null) {
            return;
        }
        findings = outcome.findings();
        reclaimActions += outcome.actions();
        reclaimBytesReturned += outcome.bytesReturned();
        if (outcome.handled()) {
            resetLowWater = true;
        }
    }

    private void act(Budget budget, long now) {
        if (levers == null) {
            detect(budget);
        }
        take(runner.poll());
        load.add(now, meter.gcThreadCpuNanos(), meter.gcPauseNanos(), meter.processCpuNanos(), meter.serviceThreadCpuNanos());
        softLimit = resolveSoftLimit(budget);
        long ws = budget.workingSetBytes();
        long nativeBytes = nativeBytes(budget);
        if (runner.running() || resetLowWater) {
            reclaimLow = Math.min(reclaimLow, ws);
            reclaimNativeLow = Math.min(reclaimNativeLow, nativeBytes);
        }
        if (resetLowWater) {
            resetLowWater = false;
            lowWater = reclaimLow;
            nativeLowWater = reclaimNativeLow;
            reclaimLow = Long.MAX_VALUE;
            reclaimNativeLow = Long.MAX_VALUE;
        }
        lowWater = Math.min(lowWater, ws);
        nativeLowWater = Math.min(nativeLowWater, nativeBytes);
        trackIdle(now, ws, minReclaimBytes(budget));
        double gcLoad = load.load(meter.processors());

        if (softLimit.isPresent() && ws >= softLimit.getAsLong() * APPROACH) {
            underPressure(budget, now, softLimit.getAsLong(), gcLoad);
            return;
        }
        overSoftLimit = false;
        if (backingOff) {
            backingOff = false;
            emit("resume", "the working set fell below " + SoftLimitEvents.pct(APPROACH) + " of the soft limit", budget, gcLoad, Map.of());
        }
        if (flags.changed() && !runner.running() && (softLimit.isEmpty() || ws < softLimit.getAsLong() * RELAX)) {
            restoreFlags(budget, gcLoad, "the working set fell below " + SoftLimitEvents.pct(RELAX) + " of the soft limit");
        }
        if (config.idleReclaim()) {
            maybeIdleReclaim(budget, now, gcLoad);
        }
    }

    // ---- soft limit

    private void underPressure(Budget budget, long now, long soft, double gcLoad) {
        long ws = budget.workingSetBytes();
        boolean over = ws >= soft;
        boolean capReached = gcLoad >= (backingOff ? cap * RESUME : cap);
        if (capReached) {
            capHits++;
            overSoftLimit = over;
            if (!backingOff) {
                backingOff = true;
                Map<String, Object> restored = runner.running() ? Map.of() : safeRestore();
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("restoredFlags", restored);
                emit("back_off", String.format(Locale.ROOT, "GC took %.0f%% of the CPU over the last %d s, at or above "
                                + "gcCpuCap=%s: backing off and letting the working set exceed the soft limit",
                        gcLoad * 100, GcLoad.WINDOW_NANOS / 1_000_000_000L, Values.formatPercent(config.gcCpuCap())),
                        budget, gcLoad, extra);
            }
            if (over) {
                listeners.ask(budget, now, ReclaimRequest.Level.URGENT, ws - (long) (soft * APPROACH),
                        "above the soft limit and the GC CPU cap is reached: only the application can give memory back now",
                        moment(budget, gcLoad));
            }
            return;
        }
        if (backingOff) {
            backingOff = false;
            emit("resume", String.format(Locale.ROOT, "GC CPU fell to %.0f%%, under %.0f%% of gcCpuCap", gcLoad * 100, RESUME * 100),
                    budget, gcLoad, Map.of());
        }
        if (runner.running()) {
            return;
        }
        steer(budget, soft, gcLoad);
        if (!over) {
            overSoftLimit = false;
            return;
        }
        boolean futile = findings.futile();
        overSoftLimit = futile;
        listeners.ask(budget, now, futile ? ReclaimRequest.Level.URGENT : ReclaimRequest.Level.SOFT_LIMIT,
                ws - (long) (soft * APPROACH), futile
                        ? "above the soft limit and collections are returning nothing"
                        : "above the soft limit", moment(budget, gcLoad));
        if (collectDue(budget, now)) {
            submit(false, false, trimDue(budget), "working set " + Values.humanBytes(ws)
                    + " is above the soft limit " + Values.humanBytes(soft), budget, gcLoad, now);
        } else if (trimDue(budget)) {
            submit(false, true, true, "non-heap memory grew above the soft limit", budget, gcLoad, now);
        }
    }

    /** Moves the heap flags toward a heap that fits: {@code soft limit - non-heap part of the working set}. */
    private void steer(Budget budget, long soft, double gcLoad) {
        long ws = budget.workingSetBytes();
        long heapCommitted = budget.jvm().heapCommittedBytes();
        long target = Math.max(0, soft - Math.max(0, ws - heapCommitted));
        Map<String, Object> changed = new LinkedHashMap<>();
        try {
            if (levers.steersBySoftMax() && flags.softMaxWriteable()) {
                long value = Math.min(flags.originalSoftMax(), Math.max(MIN_SOFT_MAX, target));
                long current = flags.softMax();
                if (Math.abs(value - current) > Math.max(4 * MIB, current / 20)) {
                    flags.softMax(value);
                    changed.put(HeapFlags.SOFT_MAX, value);
                }
            }
            if (collector.usesFreeRatios() && flags.ratiosWriteable()) {
                long live = findings.liveBytes() >= 0 ? findings.liveBytes() : budget.jvm().heapUsedBytes();
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
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("flags", changed);
            extra.put("targetHeapBytes", target);
            emit("set_flag", "working set " + Values.humanBytes(ws) + " is within " + SoftLimitEvents.pct(1 - APPROACH)
                    + " of the soft limit: steering the heap toward " + Values.humanBytes(target) + " (" + SoftLimitEvents.describe(changed) + ")",
                    budget, gcLoad, extra);
        }
    }

    private boolean collectDue(Budget budget, long now) {
        if (!levers.canCollect()) {
            return false;
        }
        if (lastCollectNanos != Long.MIN_VALUE) {
            if (now - lastCollectNanos < findings.retrySpacingNanos()) {
                return false;
            }
            // Something new to collect: the heap grew since what the last collection left.
            long used = budget.jvm().heapUsedBytes();
            long base = findings.liveBytes() >= 0 ? findings.liveBytes() : heapUsedAtLastCollect;
            if (base >= 0 && used - base < minReclaimBytes(budget)
                    && budget.jvm().heapCommittedBytes() - used < minReclaimBytes(budget)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Retained malloc memory is worth a trim: native memory outside the JVM's accounting grew by the
     * minimum since its low. A trim is cheap, but the first one creates the platform MBean server
     * (0.15–0.43 s of CPU), so it is not done after every collection.
     */
    private boolean trimDue(Budget budget) {
        return findings.trim() && nativeBytes(budget) - nativeLowWater >= minReclaimBytes(budget);
    }

    /** The budget's {@code untracked_native} (malloc, retained arenas); without it, the working set less the heap. */
    static long nativeBytes(Budget budget) {
        return budget.component("untracked_native").map(Budget.Component::bytes)
                .orElse(Math.max(0, budget.workingSetBytes() - budget.jvm().heapCommittedBytes()));
    }

    // ---- idle reclaim

    /** Idle: application threads under IDLE_CORES, and the working set not climbing (a burst's first allocations). */
    private void trackIdle(long now, long ws, long minReclaim) {
        double cores = load.mutatorCores();
        boolean climbing = lastWorkingSet >= 0 && ws - lastWorkingSet >= minReclaim / 2;
        lastWorkingSet = ws;
        if (Double.isNaN(cores)) {
            return;
        }
        if (cores > IDLE_CORES || climbing || idleSince == Long.MIN_VALUE) {
            idleSince = now;
        }
    }

    private void maybeIdleReclaim(Budget budget, long now, double gcLoad) {
        if (!levers.idleDetection() || runner.running() || idleSince == Long.MIN_VALUE) {
            return;
        }
        long idleFor = now - idleSince;
        if (idleFor < config.idleReclaimAfter().toNanos()) {
            return;
        }
        long grown = budget.workingSetBytes() - lowWater;
        if (grown < minReclaimBytes(budget)) {
            return;
        }
        // A reclaim that returned nothing keeps the growth pending; space the retries out (1 s doubling to 1 min).
        if (findings.fruitless() > 0 && lastIdleReclaimNanos != Long.MIN_VALUE
                && now - lastIdleReclaimNanos < findings.retrySpacingNanos()) {
            return;
        }
        // No GC CPU cap here: the cap bounds what collections take from a busy application, and this one
        // has been idle for idleReclaimAfter (its own burst's GC may still fill the window). The cost is
        // bounded instead by acting once per growth of the working set.
        String reason = String.format(Locale.ROOT, "idle for %.1f s (under %.0f%% of a core) and the working set grew %s since its last low",
                idleFor / 1e9, IDLE_CORES * 100, Values.humanBytes(grown));
        listeners.ask(budget, now, ReclaimRequest.Level.IDLE, grown, reason, moment(budget, gcLoad));
        boolean canCollect = levers.canCollect();
        boolean trimNow = trimDue(budget);
        if (canCollect || trimNow) {
            lastIdleReclaimNanos = now;
            submit(true, !canCollect, trimNow, reason, budget, gcLoad, now);
        } else {
            resetLowWater = true;
        }
    }

    /** Least growth worth a reclaim: 16 MiB, or 2% of the limit (or max heap) when larger. */
    static long minReclaimBytes(Budget budget) {
        long base = budget.limitBytes().isPresent() ? budget.limitBytes().getAsLong()
                : budget.jvm().heapMaxBytes().orElse(0);
        return Math.max(MIN_RECLAIM_FLOOR, (long) (base * MIN_RECLAIM_SHARE));
    }

    // ---- acting

    private void submit(boolean idle, boolean trimOnly, boolean trimNative, String reason, Budget budget, double gcLoad, long now) {
        if (runner.running()) {
            return;
        }
        ReclaimTask.Plan plan = new ReclaimTask.Plan(idle, !trimOnly, trimNative, reason, moment(budget, gcLoad),
                budget.jvm().heapUsedBytes(), minReclaimBytes(budget), now);
        reclaimLow = Long.MAX_VALUE;
        reclaimNativeLow = Long.MAX_VALUE;
        if (plan.collect()) {
            lastCollectNanos = plan.decidedAtNanos();
            heapUsedAtLastCollect = plan.heapUsed();
        }
        runner.start(new ReclaimTask(tools, plan, findings, runner::handBack));
    }

    private void restoreFlags(Budget budget, double gcLoad, String reason) {
        Map<String, Object> restored = safeRestore();
        if (!restored.isEmpty()) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("flags", restored);
            emit("restore_flags", reason + ": heap flags back to their starting values (" + SoftLimitEvents.describe(restored) + ")",
                    budget, gcLoad, extra);
        }
    }

    private Map<String, Object> safeRestore() {
        try {
            return flags.restore();
        } catch (IllegalArgumentException e) {
            diagnostics.failure("soft limit: restoring heap flags", e);
            return Map.of();
        }
    }

    // ---- detection

    private void detect(Budget budget) {
        collector = Collector.of(budget.jvm().collector());
        meter.collector(collector);
        flags.capture();
        levers = LeverDetection.detect(config, budget, collector, vm, flags, meter, jdkFeature);
        findings = Findings.initial(levers.trim());
        report = new SoftLimitEvents(events, config.gcCpuCap(), collector);
        tools = new ReclaimTask.Tools(vm, flags, meter, levers, report, diagnostics, timing);
        listeners = new ListenerRequests(events, report);
        levers.unavailable().forEach(report::leverUnavailable);
    }

    private OptionalLong resolveSoftLimit(Budget budget) {
        return config.softLimit().resolve(budget.limitBytes());
    }

    // ---- reporting

    private SoftLimitEvents.Moment moment(Budget budget, double gcLoad) {
        return new SoftLimitEvents.Moment(softLimit, budget.workingSetBytes(), gcLoad);
    }

    private void emit(String action, String reason, Budget budget, double gcLoad, Map<String, Object> extra) {
        report.action(false, action, reason, moment(budget, gcLoad), extra);
    }

    @Override
    public void close() {
        runner.close();
        meter.close();
        Map<String, Object> restored = safeRestore();
        if (!restored.isEmpty()) {
            diagnostics.line("soft limit: heap flags restored on close (" + SoftLimitEvents.describe(restored) + ")");
        }
    }
}
